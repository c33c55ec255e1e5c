/** POST /v1/scores, POST /v1/scores/batch and GET /v1/scores/{id}: every answer, as documented. */
import { describe, expect, it } from "vitest";
import { AUTH, scoreBody } from "../support/api-harness";
import { type Call, jobId, type LiveAnswers, OTHER_MERCHANT, PRODUCER } from "./live-answers";

export function scoreAnswerTests(live: LiveAnswers): void {
  const { ctx, call, completeJobs } = live;
  describe("scores: live answers are the documented ones", () => {
    it("POST /v1/scores: 202 queued, 202 duplicate, then 200 once final with wait_ms; GET 200", async () => {
      const first = await call("/v1/scores", {
        method: "POST",
        url: "/v1/scores",
        payload: scoreBody("o-1"),
      });
      expect(first.statusCode).toBe(202);
      const again = await call("/v1/scores", {
        method: "POST",
        url: "/v1/scores",
        payload: scoreBody("o-1"),
      });
      expect(again.json()).toMatchObject({ status: "queued", duplicate: true });
      expect(
        (await call("/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("o-1")}` })).statusCode,
      ).toBe(200);

      completeJobs();
      const waited = await call("/v1/scores", {
        method: "POST",
        url: "/v1/scores?wait_ms=10000",
        payload: scoreBody("o-2"),
      });
      expect(waited.statusCode).toBe(200);
      expect(waited.json()).toMatchObject({ status: "completed", result: { risk_level: "low" } });
      const read = await call("/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("o-2")}` });
      expect(read.json()).toMatchObject({ status: "completed" });
    });

    it("POST /v1/scores/batch: 202 queued, then 200 once all are final with wait_ms", async () => {
      const queued = await call("/v1/scores/batch", {
        method: "POST",
        url: "/v1/scores/batch",
        payload: { items: [scoreBody("b-1"), scoreBody("b-2")] },
      });
      expect(queued.statusCode).toBe(202);
      completeJobs();
      const waited = await call("/v1/scores/batch", {
        method: "POST",
        url: "/v1/scores/batch?wait_ms=10000",
        payload: { items: [scoreBody("b-3"), scoreBody("b-1")] },
      });
      expect(waited.statusCode).toBe(200);
    });

    for (const path of ["/v1/scores", "/v1/scores/batch"]) {
      const body = (item: Record<string, unknown>) =>
        path === "/v1/scores" ? item : { items: [scoreBody("ok"), item] };
      const cases: Array<[string, number, Partial<Call>]> = [
        ["a field error", 400, { payload: body(scoreBody("x", { amount: "12.5" })) }],
        ["a bad wait_ms", 400, { url: `${path}?wait_ms=0x10`, payload: body(scoreBody("x")) }],
        ["a card number", 400, { payload: body(scoreBody("4111111111111111")) }],
        ["broken JSON", 400, { payload: "{", headers: { ...AUTH, "content-type": "application/json" } }],
        ["no key", 401, { headers: {}, payload: body(scoreBody("x")) }],
        [
          "another merchant",
          403,
          { headers: PRODUCER, payload: body(scoreBody("x", { merchant_id: OTHER_MERCHANT })) },
        ],
        [
          "over 1 MiB",
          413,
          {
            payload: JSON.stringify({ pad: "x".repeat(1_100_000) }),
            headers: { ...AUTH, "content-type": "application/json" },
          },
        ],
        ["plain text", 415, { payload: "hello", headers: { ...AUTH, "content-type": "application/xml" } }],
      ];
      for (const [what, status, overrides] of cases) {
        it(`${path}: ${what} answers ${status}`, async () => {
          const answer = await call(path, { method: "POST", url: path, ...overrides });
          expect(answer.statusCode).toBe(status);
        });
      }

      it(`${path}: a full backlog and too many waiters answer 429 with Retry-After`, async () => {
        await ctx.restart({ maxBacklog: 1, maxWaitingJobs: 1 });
        const waiters = await call(path, {
          method: "POST",
          url: `${path}?wait_ms=1000`,
          payload: path === "/v1/scores" ? scoreBody("w-1") : { items: [scoreBody("w-1"), scoreBody("w-2")] },
        });
        if (path === "/v1/scores/batch") expect(waiters.json()).toMatchObject({ error: "too_many_waiters" });
        for (const id of ["s-1", "s-2"]) {
          const request = scoreBody(id) as never;
          await ctx.kit.scoreQueue.add("transaction_anomaly", { request, enqueued_at: 0, deadline_at: 0 });
        }
        const full = await call(path, { method: "POST", url: path, payload: body(scoreBody("over")) });
        expect(full.statusCode).toBe(429);
        expect(full.json()).toMatchObject({ error: "backlog_full" });
      });
    }

    it("GET /v1/scores/{id}: 404 unknown or another merchant's, 400 undecodable, 401 without a key", async () => {
      const expectStatus = async (url: string, status: number, headers: Record<string, string> = AUTH) =>
        expect((await call("/v1/scores/{id}", { method: "GET", url, headers })).statusCode).toBe(status);
      await expectStatus(`/v1/scores/${jobId("nope")}`, 404);
      await expectStatus(`/v1/scores/${OTHER_MERCHANT}-x`, 404, PRODUCER);
      await expectStatus("/v1/scores/%zz", 400);
      await expectStatus(`/v1/scores/${jobId("x")}`, 401, {});
    });
  });
}

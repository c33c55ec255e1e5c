/** The /v1/dead-letters routes (list, read, redrive, purge): every answer, as documented. */
import { describe, expect, it } from "vitest";
import { AUTH, eventually, scoreBody, startKillingWorker } from "../support/api-harness";
import { type Call, jobId, type LiveAnswers, PRODUCER } from "./live-answers";

/** A body that is not JSON (415) and one over the 1 MiB limit (413), sent to a route that takes a body. */
function unreadableBodies(method: "POST" | "DELETE", url: string): Array<[string, Call, number]> {
  const headers = (type: string) => ({ ...AUTH, "content-type": type });
  return [
    [url, { method, url, payload: "x", headers: headers("application/xml") }, 415],
    [
      url,
      {
        method,
        url,
        payload: JSON.stringify({ ids: ["x".repeat(1_100_000)] }),
        headers: headers("application/json"),
      },
      413,
    ],
  ];
}

export function deadLetterAnswerTests(live: LiveAnswers): void {
  const { ctx, call } = live;
  describe("dead letters: live answers are the documented ones", () => {
    it("list, read, redrive and purge a dead letter: 200s", async () => {
      ctx.worker = startKillingWorker(ctx.kit, () => "auth_revoked");
      await ctx.post("/v1/scores", scoreBody("d-1", { card_fingerprint: "a".repeat(64) }));
      await eventually(() => ctx.kit.deadLetters.get(jobId("d-1")));
      const page = await call("/v1/dead-letters", {
        method: "GET",
        url: "/v1/dead-letters?reason=auth_revoked",
      });
      expect(page.json()).toMatchObject({ total: 1, items: [{ job_id: jobId("d-1") }] });
      const letter = await call("/v1/dead-letters/{id}", {
        method: "GET",
        url: `/v1/dead-letters/${jobId("d-1")}`,
      });
      expect(letter.statusCode).toBe(200);
      // A dead job as its enqueue and its read show it, dead letter included.
      const dead = await call("/v1/scores", { method: "POST", url: "/v1/scores", payload: scoreBody("d-1") });
      expect(dead.json()).toMatchObject({
        status: "dead",
        duplicate: true,
        dead_letter: { reason: "auth_revoked" },
      });
      await call("/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("d-1")}` });

      await ctx.worker.close();
      ctx.worker = undefined;
      const redriven = await call("/v1/dead-letters/redrive", {
        method: "POST",
        url: "/v1/dead-letters/redrive",
        payload: { ids: [jobId("d-1")] },
      });
      expect(redriven.json()).toEqual({ redriven: [jobId("d-1")], count: 1 });
      const purged = await call("/v1/dead-letters", {
        method: "DELETE",
        url: "/v1/dead-letters",
        payload: { reason: "auth_revoked" },
      });
      expect(purged.statusCode).toBe(200);
    });

    const cases: Array<[string, Call, number]> = [
      ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters?limit=0" }, 400],
      ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters", headers: {} }, 401],
      ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters", headers: PRODUCER }, 403],
      ["/v1/dead-letters/{id}", { method: "GET", url: `/v1/dead-letters/${jobId("nope")}` }, 404],
      ["/v1/dead-letters/{id}", { method: "GET", url: "/v1/dead-letters/%zz" }, 400],
      ["/v1/dead-letters/{id}", { method: "GET", url: `/v1/dead-letters/${jobId("x")}`, headers: {} }, 401],
      [
        "/v1/dead-letters/{id}",
        { method: "GET", url: `/v1/dead-letters/${jobId("x")}`, headers: PRODUCER },
        403,
      ],
      ["/v1/dead-letters/redrive", { method: "POST", url: "/v1/dead-letters/redrive", payload: {} }, 400],
      [
        "/v1/dead-letters/redrive",
        {
          method: "POST",
          url: "/v1/dead-letters/redrive",
          payload: "[",
          headers: { ...AUTH, "content-type": "application/json" },
        },
        400,
      ],
      [
        "/v1/dead-letters/redrive",
        { method: "POST", url: "/v1/dead-letters/redrive", payload: { reason: "expired" }, headers: {} },
        401,
      ],
      [
        "/v1/dead-letters/redrive",
        {
          method: "POST",
          url: "/v1/dead-letters/redrive",
          payload: { reason: "expired" },
          headers: PRODUCER,
        },
        403,
      ],
      ...unreadableBodies("POST", "/v1/dead-letters/redrive"),
      ["/v1/dead-letters", { method: "DELETE", url: "/v1/dead-letters", payload: { ids: ["nope"] } }, 400],
      [
        "/v1/dead-letters",
        { method: "DELETE", url: "/v1/dead-letters", payload: { reason: "expired" }, headers: {} },
        401,
      ],
      [
        "/v1/dead-letters",
        { method: "DELETE", url: "/v1/dead-letters", payload: { reason: "expired" }, headers: PRODUCER },
        403,
      ],
      ...unreadableBodies("DELETE", "/v1/dead-letters"),
    ];
    for (const [path, request, status] of cases) {
      it(`${request.method} ${request.url.slice(0, 40)} (${Object.keys(request.headers ?? AUTH).length === 0 ? "no key" : request.headers === PRODUCER ? "producer key" : "operator key"}) answers ${status}`, async () => {
        expect((await call(path, request)).statusCode).toBe(status);
      });
    }
  });
}

/**
 * scoreAndWait's polling and enqueueScores' size-based chunking, driven by the labelled test double
 * of riskq's API (support/riskq-double.ts): a job that completes on the third look, and bodies
 * measured byte by byte, are not something the real API can be told to produce.
 */
import type { ScoreJobResult } from "@riskq/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { createRiskqClient } from "../src/index";
import { type RiskqDouble, startRiskqDouble } from "./support/riskq-double";
import { enqueuedAnswer, scoreRequest } from "./support/score-requests";

let double: RiskqDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const result: ScoreJobResult = {
  item_id: "wait-1",
  source: "remote",
  confidence: 0.42,
  risk_score: 42,
  risk_level: "medium",
  flagged: false,
  info_code: [],
  model_version: "v1",
  cost_usd: 0.0012,
  attempts: 1,
};

describe("scoreAndWait", () => {
  it("asks the server to wait, then polls getScore until the job completes", async () => {
    const request = scoreRequest("wait-1");
    const id = `${request.merchant_id}-wait-1`;
    let gets = 0;
    double = await startRiskqDouble((call) => {
      if (call.method === "POST") return { status: 202, body: enqueuedAnswer(request, true) };
      gets++;
      return gets < 3
        ? { status: 200, body: { id, item_id: "wait-1", status: "active" } }
        : { status: 200, body: { id, item_id: "wait-1", status: "completed", result } };
    });
    const client = createRiskqClient({ baseUrl: double.baseUrl, apiKey: "k" });

    const view = await client.scoreAndWait(request, { waitMs: 5_000 });

    expect(view).toEqual({ id, item_id: "wait-1", status: "completed", duplicate: true, result });
    expect(double.calls[0]).toMatchObject({ method: "POST", url: "/v1/scores?wait_ms=5000" });
    expect(double.calls.slice(1).map((c) => `${c.method} ${c.url}`)).toEqual(
      Array(3).fill(`GET /v1/scores/${id}`),
    );
  });

  it("returns the server's outcome without polling when it answers 200 settled", async () => {
    const request = scoreRequest("wait-1");
    const id = `${request.merchant_id}-wait-1`;
    double = await startRiskqDouble(() => ({
      status: 200,
      body: { id, item_id: "wait-1", status: "completed", duplicate: false, result },
    }));
    const client = createRiskqClient({ baseUrl: double.baseUrl, apiKey: "k" });

    await expect(client.scoreAndWait(request)).resolves.toMatchObject({ status: "completed", result });
    expect(double.calls).toHaveLength(1);
    // By default it waits for the default deadline (2 000 ms) plus the grace.
    expect(double.calls[0]!.url).toBe("/v1/scores?wait_ms=2500");
  });

  it("waits by default for the request's own deadline plus the grace", async () => {
    const request = scoreRequest("wait-deadline", { deadline_ms: 4_000 });
    const id = `${request.merchant_id}-wait-deadline`;
    double = await startRiskqDouble(() => ({
      status: 200,
      body: { id, item_id: "wait-deadline", status: "completed", duplicate: false, result },
    }));
    const client = createRiskqClient({ baseUrl: double.baseUrl, apiKey: "k" });

    await client.scoreAndWait(request);
    await client.scoreAndWait(request, { waitMs: 1_000 }); // an explicit budget still rules
    expect(double.calls.map((call) => call.url)).toEqual([
      "/v1/scores?wait_ms=4500",
      "/v1/scores?wait_ms=1000",
    ]);
  });

  it("returns the latest unsettled view once the budget is spent", async () => {
    const request = scoreRequest("wait-forever");
    double = await startRiskqDouble((call) =>
      call.method === "POST"
        ? { status: 202, body: enqueuedAnswer(request) }
        : {
            status: 200,
            body: { id: `${request.merchant_id}-wait-forever`, item_id: "wait-forever", status: "active" },
          },
    );
    const client = createRiskqClient({ baseUrl: double.baseUrl, apiKey: "k" });

    const view = await client.scoreAndWait(request, { waitMs: 300 });

    // The double answered 202 at once, so the SDK polled for the rest of the budget, then gave up.
    expect(view).toEqual({
      id: `${request.merchant_id}-wait-forever`,
      item_id: "wait-forever",
      status: "active",
      duplicate: false,
    });
    expect(double.calls.filter((c) => c.method === "GET").length).toBeGreaterThan(0);
  });

  it("asks the server to wait at most 10 s, whatever the budget", async () => {
    const request = scoreRequest("wait-long");
    double = await startRiskqDouble(() => ({ status: 202, body: enqueuedAnswer(request) }));
    const client = createRiskqClient({ baseUrl: double.baseUrl, apiKey: "k" });
    const controller = new AbortController();
    const reason = new Error("enough");

    const pending = client
      .scoreAndWait(request, { waitMs: 60_000, signal: controller.signal })
      .catch((e) => e);
    // Stop it once it polls: the remaining 60 s of polling is not what this test is about.
    while (double.calls.length < 2) await new Promise((r) => setTimeout(r, 5));
    controller.abort(reason);

    expect(await pending).toBe(reason);
    expect(double.calls[0]!.url).toBe("/v1/scores?wait_ms=10000");
  });
});

describe("enqueueScores chunking by size", () => {
  it("keeps every batch body under 1 MiB even when 1 000 items would exceed it", async () => {
    const longUrl = `https://hooks.example.com/${"a".repeat(1_900)}`;
    const requests = Array.from({ length: 1_000 }, (_, i) =>
      scoreRequest(`big-${i}`, { callback_url: longUrl }),
    );
    const sizes: number[] = [];
    double = await startRiskqDouble((call) => {
      const items = (call.body as { items: typeof requests }).items;
      sizes.push(Buffer.byteLength(JSON.stringify(call.body)));
      return { status: 202, body: { jobs: items.map((r) => enqueuedAnswer(r)) } };
    });
    const client = createRiskqClient({ baseUrl: double.baseUrl, apiKey: "k" });

    const jobs = await client.enqueueScores(requests);

    expect(jobs.map((j) => j.item_id)).toEqual(requests.map((r) => r.item_id));
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
  });
});

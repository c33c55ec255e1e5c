/**
 * Idempotency past BullMQ's retention with the real processes: the API and a worker process against
 * the sandbox. A job is scored (billed once in the sandbox's ledger), then removed from the queue as
 * retention would; the same submission afterwards gets the recorded outcome with `duplicate: true`,
 * and the ledger shows no second bill.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreRequests, testMerchants } from "./support/score-traffic";
import { type Stack, startStack } from "./support/stack";

describe("a duplicate after the completed job was removed", () => {
  let stack: Stack;
  beforeAll(async () => {
    const env = { RISKQ_IDEMPOTENCY_TTL: "1h", RISKQ_PREFILTER: "off" };
    stack = await startStack({ workers: 1, apiEnv: env, workerEnv: env, sandbox: { seed: 73 } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.api.url}${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.apiKey}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("is answered from the idempotency record, not scored or billed again; GET reads it too", async () => {
    const merchants = testMerchants(73, 1);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    const [request] = scoreRequests({ seed: 73, merchants, count: 1 });
    const id = `${request!.merchant_id}-${request!.item_id}`;

    const first = await call("POST", "/v1/scores?wait_ms=10000", request);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id, status: "completed", duplicate: false });
    const result = first.body.result as Record<string, unknown>;
    expect(result.source).toBe("remote");
    const billed = await stack.sandbox.control.ledger();

    // What retention does to a completed job, here at once.
    await (await stack.scoreQueue.getJob(id))!.remove();

    const again = await call("POST", "/v1/scores?wait_ms=10000", request);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id,
      status: "completed",
      duplicate: true,
      outcome: {
        source: "remote",
        risk_score: result.risk_score,
        risk_level: result.risk_level,
        flagged: result.flagged,
        model_version: result.model_version,
      },
    });
    expect(await stack.scoreQueue.getJob(id)).toBeUndefined();
    const after = await stack.sandbox.control.ledger();
    expect(after.items).toBe(billed.items);
    expect(after.cost_usd).toBe(billed.cost_usd);

    const read = await call("GET", `/v1/scores/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, status: "completed", outcome: { risk_score: result.risk_score } });
  }, 60_000);
});

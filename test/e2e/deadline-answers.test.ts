/**
 * A payment path calls riskq synchronously (`?wait_ms` longer than the deadline) while Alipay cannot
 * answer in time: the API, two worker processes and the sandbox as child processes. Every caller
 * must get a decision — by its deadline policy — in that same answer, not a 202 after the wait.
 */
import type { DeadlinePolicy, ScoreJobResult } from "@riskq/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreRequests, testMerchants } from "./support/score-traffic";
import { type Stack, startStack } from "./support/stack";

const POLICIES: readonly DeadlinePolicy[] = ["local", "allow", "review", "expire"];
const EXPECTED_SOURCE: Record<DeadlinePolicy, ScoreJobResult["source"]> = {
  local: "prefilter",
  allow: "policy",
  review: "policy",
  expire: "expired",
};

describe("synchronous callers get their deadline decision in the answer", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ workers: 2, sandbox: { seed: 71 } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("answers 200 with each policy's decision when Alipay takes longer than the deadline", async () => {
    const merchants = testMerchants(71, 1);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    // Slower than any deadline here: no remote score can arrive in time (tokens are already held).
    await stack.sandbox.control.faults({ latency: { median_ms: 6_000, p99_ms: 7_000 } });
    const items = scoreRequests({ seed: 71, merchants, count: 8, deadlineMs: 1_500 }).map((item, i) => ({
      ...item,
      on_deadline: POLICIES[i % POLICIES.length]!,
    }));

    const res = await fetch(`${stack.api.url}/v1/scores/batch?wait_ms=8000`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ items }),
    });
    expect(res.status).toBe(200);
    const { jobs } = (await res.json()) as { jobs: Array<{ status: string; result?: ScoreJobResult }> };
    jobs.forEach((job, i) => {
      const policy = items[i]!.on_deadline;
      expect(job.status).toBe("completed");
      expect(job.result?.source).toBe(EXPECTED_SOURCE[policy]);
      // Nothing stood in the way but the time: a call that could not answer (or its keys, fetched first).
      expect(job.result?.degraded_reason).toMatch(/^(timeout|deadline|rate_limited)$/);
      if (policy !== "expire") expect(job.result?.degraded).toBe(true);
    });
  }, 60_000);
});

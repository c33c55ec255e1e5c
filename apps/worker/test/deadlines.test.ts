import type { AlipayCall } from "@riskq/alipay";
import { type DeadlinePolicy, type ScoreJobResult, scoreJobResultSchema } from "@riskq/contracts";
import { builtInPrefilter } from "@riskq/prefilter";
import { describe, expect, it } from "vitest";
import { eventually, type ScoreJob, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();
const DEFAULT_LIMITS = { app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 };
const resultOf = (job: ScoreJob): ScoreJobResult => scoreJobResultSchema.parse(job.returnvalue);
const POLICIES: readonly DeadlinePolicy[] = ["local", "allow", "review", "expire"];

/** Requests split evenly over the four deadline policies, each naming its own (`on_deadline`). */
function withEveryPolicy(seed: number, count: number) {
  const { merchantIds, requests } = trafficOf(seed, 1, count);
  return {
    merchantIds,
    requests: requests.map((r, i) => ({ ...r, on_deadline: POLICIES[i % POLICIES.length]! })),
  };
}

/** What each policy must have decided, for a job degraded for `reason`. */
async function expectDecidedByPolicy(jobs: ScoreJob[], reasons: readonly string[]) {
  const prefilter = builtInPrefilter();
  for (const job of jobs) {
    const result = resultOf(job);
    const policy = job.data.request.on_deadline;
    expect(reasons).toContain(result.degraded_reason);
    if (policy === "local") {
      const verdict = await prefilter.judge(job.data.request);
      if (verdict.decision === "unjudged") throw new Error("traffic the model judges only");
      expect(result).toMatchObject({ source: "prefilter", degraded: true, ...verdict.score, cost_usd: 0 });
    } else if (policy === "expire") {
      expect(result).toMatchObject({ source: "expired", confidence: null, flagged: null });
    } else {
      expect(result).toMatchObject({
        source: "policy",
        decision: policy,
        flagged: policy === "review",
        confidence: null,
        degraded: true,
      });
    }
  }
}

describe("deadlines bound every step", () => {
  it("a call that cannot answer in time is cut at the deadline, and each policy decides its job", async () => {
    const { kit, sandbox } = suite;
    const calls: AlipayCall[] = [];
    const alipay = kit.alipayWith({
      // The client's own limit stays far above the deadline: only the deadline can cut the call.
      defaultTimeoutMs: 30_000,
      onCall: (call) => calls.push(call),
    });
    const { merchantIds, requests } = withEveryPolicy(1301, 8);
    for (const merchantId of merchantIds) {
      const { auth_code } = await sandbox.control.createMerchant(merchantId);
      await alipay.onboardMerchant(merchantId, auth_code);
    }
    await alipay.fetchKeys();
    // From now on Alipay answers after 5 s at best: no remote score can arrive within a 1.5-s deadline.
    await sandbox.control.faults({ latency: { median_ms: 6_000, p99_ms: 7_000 } });
    await kit.startWorker({ alipay, lingerMs: 10 });
    const ids = await kit.enqueue(requests, { deadlineAt: Date.now() + 1_500 });

    const { completed, failed } = await kit.settle(ids.length, 20_000);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(8);
    await expectDecidedByPolicy(completed, ["timeout"]);
    // The call went out and was abandoned near the deadline, not after the client's 30 s (it is
    // reported when it ends, which may be a moment after the jobs were decided).
    const predicts = await eventually("the cut call to be reported", async () => {
      const ended = calls.filter((c) => c.operation === "batch predict");
      return ended.length > 0 ? ended : undefined;
    });
    for (const call of predicts) {
      expect(call.code).toBe("timeout");
      expect(call.latencyMs).toBeLessThan(10_000);
    }
  });

  it("under a 429 storm, jobs are decided by their policy by the deadline instead of waiting it out", async () => {
    const { kit, sandbox } = suite;
    // One call every 20 s: after the first, every call is refused for longer than any deadline here.
    await sandbox.control.faults({ rate_limits: { ...DEFAULT_LIMITS, batch_qps: 0.05, batch_burst: 1 } });
    const { merchantIds, requests } = withEveryPolicy(1302, 40);
    await kit.onboard(...merchantIds);
    await kit.startWorker({ batchCap: 10, lingerMs: 10 });
    const ids = await kit.enqueue(requests, { deadlineAt: Date.now() + 2_000 });

    const { completed, failed } = await kit.settle(ids.length, 20_000);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(40);
    const remote = completed.filter((job) => resultOf(job).source === "remote");
    // At most the one call the storm lets through was scored remotely; every other job was decided
    // by its policy, for the limiter's wait or the 429s.
    expect(remote.length).toBeLessThanOrEqual(10);
    const degraded = completed.filter((job) => resultOf(job).source !== "remote");
    expect(degraded.length).toBeGreaterThanOrEqual(30);
    await expectDecidedByPolicy(degraded, ["rate_limited", "deadline"]);
    for (const policy of POLICIES) {
      expect(degraded.some((job) => job.data.request.on_deadline === policy)).toBe(true);
    }
  });

  it("with audit re-scoring on, a degraded decision gets Alipay's verdict stored next to it later", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(1304, 1, 3);
    await kit.onboard(...merchantIds);
    const ids = await kit.enqueue(
      requests.map((r) => ({ ...r, on_deadline: "allow" as const })),
      { deadlineAt: Date.now() - 1 },
    );
    await kit.startWorker({ rescoreDegraded: { queue: kit.scoreQueue, redis: kit.connection } });

    // Three decisions, then three audits (ids `<job>.audit`), each scored remotely.
    await kit.settle(6);
    for (const id of ids) {
      const decided = await kit.scoreQueue.getJob(id);
      const result = scoreJobResultSchema.parse(decided?.returnvalue);
      expect(result).toMatchObject({ source: "policy", decision: "allow", degraded_reason: "deadline" });
      const audit = await kit.scoreQueue.getJob(`${id}.audit`);
      const remote = scoreJobResultSchema.parse(audit?.returnvalue);
      expect(remote.source).toBe("remote");
      expect(result.audit).toMatchObject({
        confidence: remote.confidence,
        flagged: remote.flagged,
        model_version: remote.model_version,
      });
    }
    // Billed: the audits are real calls.
    expect((await sandbox.control.ledger()).items).toBe(3);
  });

  it("a job picked up past its deadline is decided by the worker's default policy without a call", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(1303, 1, 6);
    await kit.onboard(...merchantIds);
    const before = await sandbox.control.ledger();
    await kit.enqueue(requests, { deadlineAt: Date.now() - 1 });
    await kit.startWorker({ onDeadline: "review" });

    const { completed } = await kit.settle(requests.length);
    expect(completed.map((job) => resultOf(job))).toEqual(
      requests.map(() =>
        expect.objectContaining({ source: "policy", decision: "review", degraded_reason: "deadline" }),
      ),
    );
    expect((await sandbox.control.ledger()).calls).toBe(before.calls);
  });
});

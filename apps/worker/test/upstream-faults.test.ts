import { scoreJobResultSchema } from "@riskq/contracts";
import { createCircuitBreaker } from "@riskq/pipeline";
import { describe, expect, it } from "vitest";
import {
  eventually,
  historyOf,
  MAX_ATTEMPTS,
  type ScoreJob,
  sleep,
  trafficOf,
  useWorkerKit,
} from "./support/worker-harness";

const suite = useWorkerKit();

/** Failed calls in a job's history (waits on 429s or an open circuit are recorded too, but are no failures). */
const failuresIn = (job: ScoreJob) => historyOf(job).filter((code) => code === "upstream_error").length;

const DEFAULT_LIMITS = { app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 };

describe("the worker against a failing remote", () => {
  it("retries through upstream 500s: every job completes, some after more than one attempt, none dead", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(404, 2, 100);
    await kit.onboard(...merchantIds);
    await sandbox.control.faults({ error_rates: { "500": 0.3 } });
    const ids = await kit.enqueue(requests);
    // Small batches: many calls, so the 30 % failure rate is sure to hit some of them.
    await kit.startWorker({ batchCap: 5, lingerMs: 20 });

    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    expect(await kit.deadQueue.count()).toBe(0);
    expect(completed).toHaveLength(100);
    const ledger = await sandbox.control.ledger();
    expect(ledger.by_status["500"]).toBeGreaterThan(0);

    const retried = completed.filter((j) => scoreJobResultSchema.parse(j.returnvalue).attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    for (const job of completed) {
      expect(job.returnvalue.source).toBe("remote");
      // Each failed call cost the job one attempt, recorded in its history; waits cost none.
      expect(job.returnvalue.attempts).toBe(1 + failuresIn(job));
    }
  });

  it("waits out a 429 storm without spending attempts, then completes every job", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(505, 3, 90);
    await kit.onboard(...merchantIds);
    await sandbox.control.faults({ rate_limits: { app_qps: 1, app_burst: 1, batch_qps: 1, batch_burst: 1 } });
    const ids = await kit.enqueue(requests);
    await kit.startWorker({ batchCap: 5, lingerMs: 10 });

    // Let the storm rage for a while, then give the remote its usual limits back.
    await eventually("a few 429s", async () => {
      const ledger = await sandbox.control.ledger();
      return (ledger.by_status["429"] ?? 0) >= 5 ? ledger : undefined;
    });
    await sandbox.control.faults({ rate_limits: DEFAULT_LIMITS });

    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(90);
    const waited = completed.filter((j) => historyOf(j).includes("rate_limited"));
    expect(waited.length).toBeGreaterThan(0);
    // A 429 is never the job's fault: nothing else failed here, so every job ends on its first attempt.
    for (const job of completed) {
      expect(scoreJobResultSchema.parse(job.returnvalue).attempts).toBe(1);
      expect(job.attemptsMade).toBe(1);
    }
  });

  it("opens the circuit on a 503 outage, parks jobs without burning their attempts, and completes them after", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(606, 2, 60);
    await kit.onboard(...merchantIds);
    // Keys fetched before the outage: what fails is the batch calls themselves, one failure each.
    await kit.alipay.fetchKeys();
    await sandbox.control.faults({ error_rates: { "503": 1 } });
    const breaker = createCircuitBreaker({ failureThreshold: 3, openMs: 1_000, maxOpenMs: 2_000 });
    const opened: number[] = [];
    breaker.onStateChange((change) => {
      if (change.to === "open") opened.push(change.at);
    });
    const ids = await kit.enqueue(requests);
    await kit.startWorker({ breaker, batchCap: 10, lingerMs: 20 });

    await eventually("the circuit to open", async () => (opened.length > 0 ? true : undefined));
    // The outage lasts a few open periods; then the remote recovers.
    await sleep(3_000);
    const during = await sandbox.control.ledger();
    await sandbox.control.faults({ error_rates: { "503": 0 } });

    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    expect(await kit.deadQueue.count()).toBe(0);
    expect(completed).toHaveLength(60);
    expect(breaker.state).toBe("closed");
    expect(completed.some((j) => historyOf(j).includes("circuit_open"))).toBe(true);
    for (const job of completed) {
      expect(job.returnvalue.source).toBe("remote");
      // Only the calls that failed cost attempts; the time parked behind the open circuit cost none.
      expect(job.returnvalue.attempts).toBe(1 + failuresIn(job));
      expect(job.returnvalue.attempts).toBeLessThan(MAX_ATTEMPTS);
    }
    // While open, the remote was left alone: far fewer failed calls than jobs kept waiting.
    expect(during.by_status["503"]).toBeGreaterThanOrEqual(3);
    expect(during.by_status["503"]).toBeLessThan(ids.length);
  });
});

/**
 * Three worker processes with a 5 s job lock; one is SIGKILLed while its batches are in flight
 * (the sandbox answers in 150–300 ms, so there always are some). BullMQ must notice the dead
 * worker's jobs once their locks lapse and hand them to the survivors: every job still ends,
 * completed or dead-lettered (as `stalled` when it went past its stall allowance), and nothing is
 * lost or scored twice into results.
 */
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectOutcomes, formatOutcomes } from "./support/job-outcomes";
import { limiterState } from "./support/limiter-state";
import type { EnqueuedJob } from "./support/riskq-api";
import { chunks, scoreRequests, testMerchants } from "./support/score-traffic";
import { formatCounts, queueCounts, waitUntilCompleted, waitUntilSettled } from "./support/settle";
import { type Stack, startStack } from "./support/stack";

const JOBS = 1_500;
const MERCHANTS = 3;
const LIFTED = { app_qps: 1_000, app_burst: 1_000, batch_qps: 1_000, batch_burst: 1_000 };

const log = (line: string) => process.stdout.write(`[worker-crash] ${line}\n`);

describe("a worker process killed mid-batch", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      workers: 3,
      // Small batches and few jobs per process keep the run going for a few seconds, so the kill
      // lands mid-run with calls in flight.
      workerEnv: {
        JOB_LOCK_MS: "5000",
        BATCH_CAP: "20",
        WORKER_CONCURRENCY: "40",
        ALIPAY_INITIAL_RATE: "50",
      },
      sandbox: { seed: 42 },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("leaves no job behind: every one completes, or dead-letters as stalled", async () => {
    const { sandbox, scoreQueue, deadQueue, api } = stack;
    // Rate limits lifted: this test is about the crash, not about pacing.
    await sandbox.control.faults({ latency: { median_ms: 150, p99_ms: 300 }, rate_limits: LIFTED });
    const merchants = testMerchants(42, MERCHANTS);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    const jobs: EnqueuedJob[] = [];
    for (const batch of chunks(scoreRequests({ seed: 42, merchants, count: JOBS }), 1_000)) {
      jobs.push(...(await api.enqueueBatch(batch)));
    }
    const explain = () => limiterState(stack.testRedis.redis, stack.prefix);
    const startedAt = Date.now();

    await waitUntilCompleted(scoreQueue, 200, { timeoutMs: 30_000, explain });
    const [, victim] = stack.workers;
    const atKill = await queueCounts(scoreQueue, deadQueue);
    await victim!.kill();
    log(`killed ${victim!.name} after ${Date.now() - startedAt} ms: ${formatCounts(atKill)}`);

    const counts = await waitUntilSettled(scoreQueue, deadQueue, JOBS, { timeoutMs: 60_000, explain });
    log(`settled after ${Date.now() - startedAt} ms: ${formatCounts(counts)}`);
    const outcomes = await collectOutcomes(
      scoreQueue,
      deadQueue,
      jobs.map((j) => j.id),
    );
    log(formatOutcomes(outcomes));
    // Jobs the dead worker held: BullMQ counts each stall on the job.
    const recovered = (await scoreQueue.getCompleted(0, -1)).filter(
      (job: Job) => (job.stalledCounter ?? 0) > 0,
    ).length;
    log(
      `jobs taken over from the killed worker and completed: ${recovered}; dead as stalled: ${outcomes.deadReasons.stalled ?? 0}`,
    );

    expect(jobs.filter((j) => j.duplicate)).toEqual([]);
    expect(outcomes.lost).toEqual([]);
    expect(outcomes.unmatchedDeaths).toEqual([]);
    expect(outcomes.unexpected).toEqual([]);
    expect(outcomes.completed + outcomes.dead).toBe(JOBS);
    expect(outcomes.wrongItem).toEqual([]);
    expect(outcomes.scoredTwice).toEqual([]);
    // The only death a crash may cause is `stalled`; the run has no other fault.
    expect(Object.keys(outcomes.deadReasons).filter((r) => r !== "stalled")).toEqual([]);
    // The kill really hit jobs in flight (otherwise this proved nothing about recovery).
    expect(recovered + (outcomes.deadReasons.stalled ?? 0)).toBeGreaterThan(0);
    // The survivors are still up.
    for (const worker of stack.workers.filter((w) => w !== victim)) {
      expect(await Promise.race([worker.exited.then(() => "exited"), Promise.resolve("running")])).toBe(
        "running",
      );
    }
  }, 150_000);
});

/**
 * 5 000 jobs through the HTTP API and three worker processes while the sandbox misbehaves the way
 * Alipay does: 5% of calls answer 500 throughout, a 429 storm hits part-way, and the merchants'
 * tokens expire mid-run (the sandbox's clock jumps past their 15 minutes, the workers' clocks do
 * not: they keep sending the old token and get 200s with nothing scored; the jump crosses an AES
 * key rotation too, covered by a key grace widened by the jump). Every job must end, completed or
 * dead-lettered, exactly once, with its own item's result.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxLedger } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectOutcomes, formatOutcomes } from "./support/job-outcomes";
import { toBeforeKeyRotation } from "./support/key-rotation";
import { limiterState } from "./support/limiter-state";
import type { EnqueuedJob } from "./support/riskq-api";
import { chunks, scoreRequests, testMerchants } from "./support/score-traffic";
import { formatCounts, waitUntilCompleted, waitUntilSettled } from "./support/settle";
import { type Stack, startStack } from "./support/stack";

const JOBS = 5_000;
const PER_REQUEST = 1_000;
const MERCHANTS = 5;
/** Far above what three workers reach: the bulk is about faults, not about the limit. */
const LIFTED = { app_qps: 2_000, app_burst: 2_000, batch_qps: 1_000, batch_burst: 1_000 };
/** The storm: a couple of calls per second for two seconds. */
const STORM = { app_qps: 2, app_burst: 2, batch_qps: 2, batch_burst: 2 };
const STORM_MS = 2_000;
const TOKEN_TTL_MS = 15 * 60_000;
/** How far the sandbox's clock jumps ahead of the workers' to expire the tokens. */
const CLOCK_JUMP_MS = TOKEN_TTL_MS + 5_000;
/**
 * Alipay accepts an expired AES key for 5 more minutes; the sandbox's grace is widened by the jump,
 * as in the demo (apps/demo/src/demo-settings.ts). A jump across a key rotation otherwise leaves the
 * workers, 15 min behind, on a key the sandbox refuses: with the sandbox moved to 5 min before its
 * rotation, 2 419 of the 5 000 jobs were dead-lettered on 400s and no silent drop happened (the run
 * proved nothing about tokens). Without the move it failed so only when started 18:20-18:30 UTC.
 */
const KEY_GRACE_S = 300 + CLOCK_JUMP_MS / 1_000;
/** The sandbox starts this long before a key rotation, well within the clock jump. */
const ROTATION_LEAD_MS = 5 * 60_000;

const log = (line: string) => process.stdout.write(`[pipeline-faults] ${line}\n`);

describe("the pipeline under upstream faults (real sandbox, API and three workers)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      workers: 3,
      workerEnv: { ALIPAY_INITIAL_RATE: "20" },
      sandbox: { seed: 41, env: { SANDBOX_KEY_GRACE_S: String(KEY_GRACE_S) } },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("ends each of 5 000 jobs once (completed or dead) through 500s, a 429 storm and expired tokens", async () => {
    const { sandbox, scoreQueue, deadQueue, api } = stack;
    const control = sandbox.control;
    const merchants = testMerchants(41, MERCHANTS);
    // The tokens' expiry below crosses a key rotation every time, not only in the minutes before 18:30 UTC.
    const rotationAt = await toBeforeKeyRotation(control, ROTATION_LEAD_MS);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    const requests = scoreRequests({ seed: 41, merchants, count: JOBS });
    const batches = chunks(requests, PER_REQUEST);
    const startedAt = Date.now();
    const before = await control.ledger();
    await control.faults({ rate_limits: LIFTED, error_rates: { "500": 0.05 } });

    const explain = async () =>
      `${await limiterState(stack.testRedis.redis, stack.prefix)}\nsandbox ledger so far: ${formatLedger(before, await control.ledger())}`;
    const jobs: EnqueuedJob[] = [];
    const enqueue = async (n: number) => {
      for (const batch of batches.splice(0, n)) jobs.push(...(await api.enqueueBatch(batch)));
    };
    // Phase 1: 5% 500s.
    await enqueue(2);
    await waitUntilCompleted(scoreQueue, 1_000, { timeoutMs: 30_000, explain });
    log(`500s only: ${await scoreQueue.getCompletedCount()} completed after ${Date.now() - startedAt} ms`);

    // Phase 2: a 429 storm while a third batch arrives.
    await control.faults({ rate_limits: STORM });
    await enqueue(1);
    await sleep(STORM_MS);
    await control.faults({ rate_limits: LIFTED });
    const afterStorm = await control.ledger();
    log(
      `storm over: ${(afterStorm.by_status["429"] ?? 0) - (before.by_status["429"] ?? 0)} calls answered 429`,
    );

    // Phase 3: every merchant's token expires on the sandbox; the workers do not know.
    // Most of the storm's batch should get through once the limits are back (a transient storm must
    // not throttle the rest of the run).
    await waitUntilCompleted(scoreQueue, 2_500, { timeoutMs: 30_000, explain });
    const jumped = await control.advanceClock(CLOCK_JUMP_MS);
    await enqueue(2);
    log(`tokens expired on the sandbox; all ${jobs.length} jobs enqueued after ${Date.now() - startedAt} ms`);

    const counts = await waitUntilSettled(scoreQueue, deadQueue, JOBS, {
      timeoutMs: 60_000,
      explain,
      onPoll: progressEvery(5_000, (c) => log(formatCounts(c))),
    });
    const after = await control.ledger();
    log(`settled after ${Date.now() - startedAt} ms: ${formatCounts(counts)}`);
    log(`sandbox ledger over the run: ${formatLedger(before, after)}`);

    const outcomes = await collectOutcomes(
      scoreQueue,
      deadQueue,
      jobs.map((j) => j.id),
    );
    log(formatOutcomes(outcomes));

    // Every submission created its own job.
    expect(jobs).toHaveLength(JOBS);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(JOBS);
    expect(jobs.filter((j) => j.duplicate)).toEqual([]);
    // enqueued = completed + dead, and nothing else.
    expect(outcomes.lost).toEqual([]);
    expect(outcomes.unmatchedDeaths).toEqual([]);
    expect(outcomes.unexpected).toEqual([]);
    expect(outcomes.completed + outcomes.dead).toBe(JOBS);
    // Each result is its own item's, and no item was scored into two results.
    expect(outcomes.wrongItem).toEqual([]);
    expect(outcomes.scoredTwice).toEqual([]);
    // The faults really happened, or the run proved nothing.
    const delta = (get: (l: SandboxLedger) => number) => get(after) - get(before);
    expect(delta((l) => l.by_status["500"] ?? 0)).toBeGreaterThan(0);
    expect(delta((l) => l.by_status["429"] ?? 0)).toBeGreaterThan(0);
    expect(delta((l) => l.silent_drops)).toBeGreaterThan(0);
    expect(Date.parse(jumped.now)).toBeGreaterThan(rotationAt);
    expect(delta((l) => l.token_refreshes)).toBeGreaterThanOrEqual(MERCHANTS);
    // A refreshed token is single-use: a double refresh would have revoked a merchant.
    expect(delta((l) => l.revocations)).toBe(0);
  }, 150_000);
});

function formatLedger(before: SandboxLedger, after: SandboxLedger): string {
  const status = Object.keys(after.by_status)
    .sort()
    .map((s) => `${s}: ${(after.by_status[s] ?? 0) - (before.by_status[s] ?? 0)}`)
    .join(", ");
  return (
    `${after.calls - before.calls} calls (${status}), ${after.items - before.items} items billed, ` +
    `${after.silent_drops - before.silent_drops} silent drops, ${after.token_refreshes - before.token_refreshes} token refreshes, ` +
    `${after.revocations - before.revocations} revocations`
  );
}

/** Calls `fn` at most once per `everyMs`. */
function progressEvery<T>(everyMs: number, fn: (value: T) => void): (value: T) => void {
  let last = 0;
  return (value) => {
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    fn(value);
  };
}

/**
 * Three worker processes against the sandbox's default limits (all calls 20/s, batch/predict 10/s),
 * never told what they are (ALIPAY_INITIAL_RATE left at its default). Small batches make calls, not
 * items, the bottleneck. After a warm-up, the shared limiter must keep 429s rare while using most
 * of the batch bucket. Loose floors only: `pnpm bench` (test/bench/pipeline.ts) reports the real
 * figures.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatLedgerWindow, ledgerWindow } from "./support/ledger-window";
import { limiterState } from "./support/limiter-state";
import { chunks, scoreRequests, testMerchants } from "./support/score-traffic";
import { type Stack, startStack } from "./support/stack";

/** More than 8 s of work even at a full 10 calls/s × BATCH_CAP items. */
const JOBS = 1_500;
const BATCH_CAP = 10;
const WARMUP_MS = 4_000;
const MEASURE_MS = 8_000;
/** The sandbox's default batch/predict limit (docs/alipay-ai-api.md §7). */
const BATCH_LIMIT_PER_S = 10;

const log = (line: string) => process.stdout.write(`[rate-limits] ${line}\n`);

describe("three workers at the sandbox's default rate limits", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      workers: 3,
      workerEnv: { BATCH_CAP: String(BATCH_CAP), WORKER_CONCURRENCY: "40" },
      sandbox: { seed: 43 },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("learns the limit from 429s: after warm-up few calls are refused and the batch bucket is well used", async () => {
    const { sandbox, api } = stack;
    const state = await sandbox.control.state();
    // The defaults, untouched: the workers must find them on their own.
    expect(state.faults.rate_limits).toEqual({ app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 });
    const merchants = testMerchants(43, 3);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    for (const batch of chunks(scoreRequests({ seed: 43, merchants, count: JOBS }), 1_000)) {
      await api.enqueueBatch(batch);
    }

    const start = await sandbox.control.ledger();
    await sleep(WARMUP_MS);
    const warm = await sandbox.control.ledger();
    const measuredFrom = Date.now();
    await sleep(MEASURE_MS);
    const end = await sandbox.control.ledger();
    const window = ledgerWindow(warm, end, (Date.now() - measuredFrom) / 1000);
    const remaining = await stack.scoreQueue.getJobCountByTypes("waiting", "active", "delayed");

    log(`warm-up: ${formatLedgerWindow(ledgerWindow(start, warm, WARMUP_MS / 1000))}`);
    log(`measured: ${formatLedgerWindow(window)}`);
    log(
      `batch bucket use: ${((window.acceptedScoringPerS / BATCH_LIMIT_PER_S) * 100).toFixed(1)}% of ${BATCH_LIMIT_PER_S}/s; items per accepted call ${(window.items / Math.max(1, window.scoringCalls - window.throttled)).toFixed(1)}`,
    );
    log(await limiterState(stack.testRedis.redis, stack.prefix));
    log(`${remaining} jobs still unfinished at the end of the window (the workers were busy throughout)`);

    // Still busy at the end: the rate measured was the limiter's, not a lack of work.
    expect(remaining).toBeGreaterThan(0);
    expect(window.throttledShare).toBeLessThanOrEqual(0.1);
    expect(window.acceptedScoringPerS).toBeGreaterThanOrEqual(6);
  }, 90_000);
});

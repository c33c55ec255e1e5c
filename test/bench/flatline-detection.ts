/**
 * Time to detect a flatline (part of `pnpm bench`): a worker process and a scheduler process score
 * steady synthetic traffic against a sandbox with realistic latency, drift windows of --window-ms
 * (default 5 000) checked every second; then the sandbox retires the pinned model (it keeps answering
 * 200 with every score at 0.5) and we time how long until the scheduler marks it degraded. Twice:
 * from the scores alone (`DRIFT_MODEL_EXPIRY=ignore`: what Alipay itself allows, since only the
 * sandbox announces retirements), then with the sandbox's announced expiry. Printed in seconds and in
 * windows; with the production default of 5-minute windows the score-based time scales with them.
 * Writes bench/flatline-detection.json.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { isDegraded } from "@riskq/drift";
import { type AppProcess, startAppProcess } from "@riskq/testing";
import { scoreRequests, testMerchants } from "../e2e/support/score-traffic";
import { type Stack, startStack } from "../e2e/support/stack";
import { runBench } from "./harness/bench-lifecycle";
import { machineInfo, writeReport } from "./harness/report";
import { addInChunks, scoreJobs } from "./harness/score-jobs";

const BENCH = "flatline-detection";
const MODEL = "risk-v3-2026-11";
/** Jobs per second: comfortably above the detector's 200 scores per window. */
const RATE = 150;
const { values } = parseArgs({ options: { "window-ms": { type: "string", default: "5000" } } });
const windowMs = Number(values["window-ms"]);
if (!Number.isInteger(windowMs) || windowMs < 1_000) {
  process.stderr.write(`${BENCH}: --window-ms must be an integer ≥ 1000\n`);
  process.exit(2);
}
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);
const live: { stack?: Stack; scheduler?: AppProcess } = {};

interface DetectionRun {
  mode: "scores alone" | "announced expiry";
  detected: boolean;
  /** From the retirement to the mark. */
  seconds: number;
  windows: number;
  /**
   * From the start of the first whole window after the retirement (the one holding it mixes healthy
   * and flat scores) to the mark: the detector needs two flat windows in a row, then a check.
   */
  windows_after_first_flat_window: number;
  reason: string | undefined;
}

async function measure(mode: DetectionRun["mode"], seed: number): Promise<DetectionRun> {
  const workerEnv = {
    DRIFT_WINDOW_MS: String(windowMs),
    DRIFT_MODEL_EXPIRY: mode === "scores alone" ? "ignore" : "use",
    WORKER_METRICS_PORT: "0",
  };
  progress(`${mode}: starting a sandbox, a worker and a scheduler (windows of ${windowMs} ms)…`);
  const stack = await startStack({
    workers: 1,
    api: false,
    workerEnv,
    sandbox: { latencyProfile: "realistic", seed },
  });
  live.stack = stack;
  const scheduler = await startAppProcess({
    name: "scheduler",
    script: "apps/scheduler/src/main.ts",
    env: { ...stack.workerEnv, DRIFT_CHECK_EVERY_MS: "1000", SCHEDULER_METRICS_PORT: "0" },
    readyEvent: "scheduler-ready",
    startTimeoutMs: 40_000,
  });
  live.scheduler = scheduler;
  const merchants = testMerchants(seed, 5);
  await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
  const requests = scoreRequests({ seed, merchants, count: RATE * 300 });
  let offered = 0;
  const offer = async (seconds: number) => {
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const batch = requests.slice(offered, offered + RATE / 5);
      offered += batch.length;
      await addInChunks(stack.scoreQueue, scoreJobs(batch, Date.now()));
      await sleep(200);
    }
  };
  // Healthy reference windows first (the detector compares against older windows).
  const healthyS = Math.ceil((windowMs * 5) / 1000);
  progress(`${mode}: ${healthyS} s of healthy traffic…`);
  await offer(healthyS);
  await stack.sandbox.control.retireModel(MODEL);
  const retiredAt = Date.now();
  progress(`${mode}: model retired; offering traffic until it is marked degraded…`);
  let mark: Awaited<ReturnType<typeof isDegraded>>;
  const limitS = Math.ceil((windowMs * 8) / 1000) + 20;
  while (!mark && Date.now() - retiredAt < limitS * 1000) {
    await offer(0.5);
    mark = await isDegraded(stack.testRedis.redis, stack.prefix, MODEL);
  }
  const markedAt = Date.now();
  const seconds = (markedAt - retiredAt) / 1000;
  // Windows start at multiples of windowMs (epoch-aligned), on the worker's clock — this machine's.
  const firstFlatWindow = Math.ceil(retiredAt / windowMs) * windowMs;
  await scheduler.stop();
  await stack.stop();
  live.stack = undefined;
  live.scheduler = undefined;
  const run = {
    mode,
    detected: mark !== undefined,
    seconds: Math.round(seconds * 10) / 10,
    windows: Math.round((seconds * 1000 * 10) / windowMs) / 10,
    windows_after_first_flat_window: Math.round(((markedAt - firstFlatWindow) * 10) / windowMs) / 10,
    reason: mark?.reason,
  };
  progress(
    `${mode}: ${run.detected ? `marked ${run.reason} after ${run.seconds} s (${run.windows} windows)` : "NOT detected"}`,
  );
  return run;
}

async function main(): Promise<number> {
  const runs = [await measure("scores alone", 71), await measure("announced expiry", 72)];
  const scores = runs[0]!;
  const report = {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    window_ms: windowMs,
    check_every_ms: 1_000,
    rate_jobs_per_s: RATE,
    runs,
    table_row: {
      benchmark: `time to detect a flatline (drift windows of ${windowMs / 1000} s, checked every second)`,
      riskq:
        `${scores.seconds} s after the retirement from the scores alone: ${scores.windows_after_first_flat_window} windows ` +
        `after the first whole flat window began; ${runs[1]!.seconds} s from the announced expiry`,
      baseline: "—",
      ratio: "—",
      target: "two flat windows in a row, then a check and a canary (≤ 2.5 windows)",
      meets: scores.detected && scores.windows_after_first_flat_window <= 2.5,
    },
  };
  progress(`wrote ${writeReport(BENCH, report)}`);
  return 0;
}

async function cleanUp(): Promise<void> {
  await live.scheduler?.stop();
  await live.stack?.stop();
}

process.exit(await runBench(BENCH, main, cleanUp));

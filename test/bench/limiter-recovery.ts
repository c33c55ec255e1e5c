/**
 * How fast the shared call-rate limiter comes back after a 429 storm (run on its own: `tsx
 * test/bench/limiter-recovery.ts`; not yet part of `pnpm bench`). Timing figures live here, not in
 * tests, where a loaded machine would make them flake.
 *
 * A sandbox with realistic latency and its default limits (batch/predict 10/s, burst 10); three
 * limited-caller processes (packages/pipeline/test/fixtures/limited-caller.ts: the real Alipay
 * client behind one shared limiter, eight calls each in flight or waiting), never told the limits.
 * After a warm-up the sandbox cuts batch/predict to 1 call/s (burst 1) for 3 s, then restores it.
 * The limiter's rate (the lower of its app and batch-predict buckets, read from Redis every 50 ms)
 * gives `recovery_s`: storm end → back at ≥ 95% of the rate held just before the storm, and staying
 * there. The callers' own records give `throttled_share`: 429s among the calls from 15 s on, the
 * storm and the 2 s after it left out. Writes bench/limiter-recovery.json at the repository
 * root. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); keys under a fresh prefix,
 * deleted at the end.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CallRateLimiter } from "@riskq/pipeline";
import { connectRedis } from "@riskq/redis";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { REPO_ROOT, type SandboxProcess, startSandbox } from "@riskq/testing";
import { runBench } from "./harness/bench-lifecycle";
import { benchClient } from "./harness/bench-sandbox";
import { deletePrefix, newBenchPrefix } from "./harness/redis-prefix";
import { machineInfo, writeReport } from "./harness/report";
import { ScriptProcess } from "./harness/script-process";
import {
  formatLimiterRecoveryReport,
  LIMITER_RECOVERY_REPORT,
  type LimiterRecoveryReport,
  RECOVERY_LEVEL,
  RECOVERY_TARGET_S,
  THROTTLED_TARGET,
} from "./reports/limiter-recovery";

const BENCH = "limiter-recovery";
const CALLER_SCRIPT = join(REPO_ROOT, "packages/pipeline/test/fixtures/limited-caller.ts");
const MODEL = "risk-v3-2026-11";
const WORKERS = 3;
const CALLS_PER_WORKER = 8;
/** Long enough for the limiter to find the 10/s limit and hover under it. */
const WARMUP_MS = 25_000;
/** 429s are counted from here (the start-up climb's overshoot is over by then). */
const COUNT_FROM_MS = 15_000;
const STORM_MS = 3_000;
const AFTER_MS = 12_000;
/** The storm's own 429s are answered within this long of its end (p99 latency 0.9 s, and margin). */
const STORM_TAIL_MS = 2_000;
const SAMPLE_MS = 50;
const STORM_LIMITS = { batch_qps: 1, batch_burst: 1 };
const DEFAULT_LIMITS = { batch_qps: 10, batch_burst: 10 };
const BUCKETS = ["app", "batch-predict"] as const;

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);
const redis = connectRedis(redisUrl, { maxRetriesPerRequest: 1 });
const prefix = newBenchPrefix();
let sandbox: SandboxProcess | undefined;

interface CallerDone {
  calls: Array<[number, string]>;
  errors: string[];
}

async function main(): Promise<number> {
  progress("starting a sandbox (realistic latency, default limits)…");
  sandbox = await startSandbox({ latencyProfile: "realistic", seed: 61 });
  const secretKey = randomBytes(32);
  const merchant = generateMerchants({ seed: 61, count: 1 })[0]!;
  const items = generateTraffic({
    seed: 61,
    merchants: [merchant],
    count: 50,
    start: "2026-11-26T08:00:00Z",
  }).map((t) => t.item);
  // Onboarded once here, so the callers' only calls are the scoring ones.
  const client = benchClient(sandbox, { redis, prefix, secretKey });
  const { auth_code } = await sandbox.control.createMerchant(merchant.merchant_id);
  await client.onboardMerchant(merchant.merchant_id, auth_code);
  await client.fetchKeys();

  const runMs = WARMUP_MS + STORM_MS + AFTER_MS;
  const callers = Array.from(
    { length: WORKERS },
    (_, i) =>
      new ScriptProcess(`caller ${i + 1}`, CALLER_SCRIPT, {
        CALLER_MERCHANT_ID: merchant.merchant_id,
        CALLER_ITEMS: JSON.stringify(items),
        CALLER_DURATION_MS: String(runMs),
        CALLER_CONCURRENCY: String(CALLS_PER_WORKER),
        CALLER_PREFIX: prefix,
        CALLER_REDIS_URL: redisUrl,
        CALLER_ENDPOINT: sandbox!.url,
        CALLER_APP_ID: sandbox!.appId,
        CALLER_APP_PRIVATE_KEY: sandbox!.appPrivateKey,
        CALLER_PLATFORM_PUBLIC_KEY: sandbox!.platformPublicKey,
        CALLER_SECRET_KEY: secretKey.toString("base64"),
        CALLER_INITIAL_RATE: "5",
        CALLER_MODEL: MODEL,
      }),
  );
  await Promise.all(callers.map((c) => c.next(30_000)));
  // Reads the shared buckets' state only (this instance never acquires).
  const observer = new CallRateLimiter({ redis, prefix });
  const rates: Array<[number, number]> = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const snapshot = await observer.snapshot([...BUCKETS]);
      rates.push([Date.now(), Math.min(...BUCKETS.map((b) => snapshot[b]?.rate ?? Number.NaN))]);
      await sleep(SAMPLE_MS);
    }
  })();

  const started = Date.now();
  for (const caller of callers) caller.send("go");
  const done = Promise.all(callers.map((c) => c.next<CallerDone>(runMs + 60_000)));
  progress(`${WORKERS} callers × ${CALLS_PER_WORKER} running; ${WARMUP_MS / 1000} s warm-up…`);
  await sleep(WARMUP_MS);
  await sandbox.control.faults({ rate_limits: STORM_LIMITS });
  const stormFrom = Date.now();
  progress(`storm: batch/predict at ${STORM_LIMITS.batch_qps}/s for ${STORM_MS / 1000} s…`);
  await sleep(STORM_MS);
  await sandbox.control.faults({ rate_limits: DEFAULT_LIMITS });
  const stormTo = Date.now();
  progress(`limits restored; watching for ${AFTER_MS / 1000} s…`);
  const reports = await done;
  sampling = false;
  await sampler;

  const errors = reports.flatMap((r) => r.errors);
  if (errors.length > 0) progress(`caller errors (first): ${errors[0]}`);
  const before = rates.filter(([t]) => t < stormFrom).at(-1)?.[1] ?? Number.NaN;
  const level = RECOVERY_LEVEL * before;
  const after = rates.filter(([t]) => t >= stormTo);
  const firstReached = after.find(([, r]) => r >= level)?.[0];
  const lastBelow = after.findLastIndex(([, r]) => r < level);
  const settledAt = lastBelow === after.length - 1 ? undefined : (after[lastBelow + 1]?.[0] ?? stormTo);
  const seconds = (t: number | undefined) => (t === undefined ? null : round2((t - stormTo) / 1000));

  const calls = reports.flatMap((r) => r.calls);
  const throttled = (c: Array<[number, string]>) => c.filter(([, o]) => o === "app" || o === "method").length;
  const counted = calls.filter(
    ([t]) => t >= started + COUNT_FROM_MS && !(t >= stormFrom && t < stormTo + STORM_TAIL_MS),
  );
  const stormCalls = calls.filter(([t]) => t >= stormFrom && t < stormTo);
  const countedSpanS = (runMs - COUNT_FROM_MS - STORM_MS - STORM_TAIL_MS) / 1000;
  const throttledShare = counted.length > 0 ? throttled(counted) / counted.length : 0;
  const recovery = seconds(settledAt);
  const report: LimiterRecoveryReport = {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    workers: WORKERS,
    calls_in_flight_per_worker: CALLS_PER_WORKER,
    warmup_s: WARMUP_MS / 1000,
    counted_from_s: COUNT_FROM_MS / 1000,
    storm_s: STORM_MS / 1000,
    storm_batch_qps: STORM_LIMITS.batch_qps,
    observed_after_s: AFTER_MS / 1000,
    pre_storm_rate: round2(before),
    recovery_s: recovery,
    first_reached_s: seconds(firstReached),
    throttled_share: Math.round(throttledShare * 10_000) / 10_000,
    calls_counted: counted.length,
    throttled_before_storm: throttled(counted.filter(([t]) => t < stormFrom)),
    throttled_after_storm: throttled(counted.filter(([t]) => t >= stormTo)),
    storm_throttled_share: stormCalls.length > 0 ? round2(throttled(stormCalls) / stormCalls.length) : 0,
    accepted_per_s: round2(counted.filter(([, o]) => o === "ok").length / countedSpanS),
    final_rate: round2(rates.at(-1)?.[1] ?? Number.NaN),
    target_recovery_s: RECOVERY_TARGET_S,
    target_throttled_share: THROTTLED_TARGET,
    meets_target: recovery !== null && recovery <= RECOVERY_TARGET_S && throttledShare <= THROTTLED_TARGET,
  };
  progress(`\n${formatLimiterRecoveryReport(report)}`);
  progress(`wrote ${writeReport(LIMITER_RECOVERY_REPORT, report)}`);
  // Failed calls (not 429s) make the figures meaningless.
  return errors.length > 0 ? 1 : 0;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

process.exit(
  await runBench(BENCH, main, async () => {
    await sandbox?.stop();
    await deletePrefix(redis, prefix).catch(() => 0);
    await redis.quit().catch(() => redis.disconnect());
  }),
);

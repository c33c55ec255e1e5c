/**
 * What does riskq's own Alipay client cost next to the raw SDK? (part of `pnpm bench`)
 *
 * Against one sandbox (fast latency profile, rate limits lifted), the same client processes drive
 * 50-item encrypted batch/predict calls either with raw alipay-sdk `curl()` (mode "sdk") or through
 * `createAlipayClient().scoreBatch()` (mode "riskq": token from Redis, native AES, strict checks):
 * sdk, riskq, sdk again (the two sdk runs are averaged to cancel drift). Prints calls/s, latency,
 * client CPU per call (the steadier figure), the ratio riskq/sdk (target ≥ 0.9), and writes
 * bench/client-overhead.json at the repository root.
 *
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); the run's keys live under a fresh
 * `{bench-…}` prefix, deleted at the end. Flags: --seconds N (default 5), --concurrency N (calls in
 * flight per client, default 8), --clients N (client processes, default 2).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { generateMerchants } from "@riskq/synthetic";
import type { SandboxProcess } from "@riskq/testing";
import { Redis } from "ioredis";
import { parseBenchArgs } from "./harness/bench-args";
import { runBench } from "./harness/bench-lifecycle";
import { benchClient, startBenchSandbox } from "./harness/bench-sandbox";
import type { ClientSettings, RiskqClientSettings, SdkClientSettings } from "./harness/client-protocol";
import { measureRun, type RunResult } from "./harness/measure-run";
import { deletePrefix, newBenchPrefix } from "./harness/redis-prefix";
import { writeReport } from "./harness/report";
import {
  buildClientOverheadReport,
  CLIENT_OVERHEAD_REPORT,
  formatClientOverheadReport,
} from "./reports/client-overhead";

const BENCH = "client-overhead";
const WARMUP_MS = 1_000;
const BATCH_ITEMS = 50;
const MERCHANT_SEED = 13;

const { seconds, concurrency, clients } = parseBenchArgs(BENCH, { cpuProf: false });
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = newBenchPrefix();
const progress = (line: string) => process.stdout.write(`${line}\n`);
let sandbox: SandboxProcess | undefined;
let redis: Redis | undefined;

async function main(): Promise<number> {
  const sandboxTag = `sandbox-${randomUUID()}`;
  progress(`${BENCH}: starting the sandbox (fast latency profile)…`);
  sandbox = await startBenchSandbox(sandboxTag);

  redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const secretKey = randomBytes(32);
  const riskq = benchClient(sandbox, { redis, prefix, secretKey });
  // Onboarded once, here: every riskq-mode client reads the same sealed token under the prefix.
  const [merchant] = generateMerchants({ seed: MERCHANT_SEED, count: 1 });
  const { merchant_id, auth_code } = await sandbox.control.createMerchant(merchant!.merchant_id);
  await riskq.onboardMerchant(merchant_id, auth_code);
  // The sdk-mode clients get the very same token and key, fixed for the run.
  const appAuthToken = await riskq.getMerchantToken(merchant_id);
  const key = await riskq.currentKey();
  progress(`${BENCH}: merchant ${merchant_id} onboarded under ${prefix}`);

  const common = {
    url: sandbox.url,
    appId: sandbox.appId,
    appPrivateKey: sandbox.appPrivateKey,
    platformPublicKey: sandbox.platformPublicKey,
    merchant: merchant!,
    concurrency,
    warmupMs: WARMUP_MS,
    measureMs: seconds * 1000,
    batchItems: BATCH_ITEMS,
  };
  const sdkMode: SdkClientSettings = { ...common, mode: "sdk", aesKey: key.aesKey, appAuthToken };
  const riskqMode: RiskqClientSettings = {
    ...common,
    mode: "riskq",
    redisUrl,
    prefix,
    secretKey: secretKey.toString("base64"),
  };
  const plan: { target: string; client: ClientSettings }[] = [
    { target: "sdk (before)", client: sdkMode },
    { target: "riskq", client: riskqMode },
    { target: "sdk (after)", client: sdkMode },
  ];
  const runs: RunResult[] = [];
  for (const [i, step] of plan.entries()) {
    const run = await measureRun({
      target: step.target,
      serverTag: sandboxTag,
      client: step.client,
      clients,
      // Fresh item ids per call, per client and per run: the sandbox's model is stateful.
      seedBase: 1_000 * (i + 1),
      progress,
    });
    progress(`${BENCH}: ${step.target}: ${run.calls_per_s.toFixed(1)} calls/s`);
    runs.push(run);
  }

  const report = buildClientOverheadReport(
    {
      seconds,
      warmup_s: WARMUP_MS / 1000,
      concurrency,
      clients,
      batch_items: BATCH_ITEMS,
      latency_profile: "fast",
    },
    runs,
  );
  progress(`\n${formatClientOverheadReport(report)}`);
  progress(`${BENCH}: wrote ${writeReport(CLIENT_OVERHEAD_REPORT, report)}`);

  const failed = runs.filter((r) => r.errors > 0);
  for (const r of failed)
    progress(`${BENCH}: ${r.target} had ${r.errors} failed calls, first: ${r.first_error}`);
  // Failed calls make the figures meaningless (errors are cheaper than answers).
  return failed.length > 0 ? 1 : 0;
}

/** Deletes the run's keys and closes the connection; a Redis that never connected has nothing to clean. */
async function cleanUpRedis(): Promise<void> {
  const connection = redis;
  redis = undefined;
  if (connection?.status !== "ready") {
    connection?.disconnect();
    return;
  }
  try {
    const deleted = await deletePrefix(connection, prefix);
    progress(`${BENCH}: deleted ${deleted} Redis keys under ${prefix}`);
  } finally {
    const ended = once(connection, "end");
    await connection.quit().catch(() => connection.disconnect());
    await ended;
  }
}

process.exit(
  await runBench(BENCH, main, async () => {
    await Promise.all([sandbox?.stop(), cleanUpRedis()]);
  }),
);

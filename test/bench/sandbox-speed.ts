/**
 * How fast is the sandbox next to the bare cost of the API's cryptography? (part of `pnpm bench`)
 *
 * Starts the sandbox (fast latency profile) and a bare node:crypto server doing only the same RSA
 * verification, AES and response signing (harness/bare-server.ts), then drives each from separate
 * client processes with the official alipay-sdk (harness/client.ts, mode "sdk"): bare, sandbox,
 * bare again (the two bare runs are averaged to cancel drift). Prints calls/s, latency and CPU
 * shares, the ratio sandbox/bare (target ≥ 0.8), and writes bench/sandbox-speed.json at the
 * repository root.
 *
 * Flags: --seconds N (measured window, default 5), --concurrency N (calls in flight per client,
 * default 8), --clients N (client processes, default 2), --cpu-prof DIR (write V8 CPU profiles of
 * the sandbox to DIR, for finding where its time goes).
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { generateMerchants } from "@riskq/synthetic";
import { createSdk, currentAesKey, onboardMerchant, type SandboxProcess } from "@riskq/testing";
import { parseBenchArgs } from "./harness/bench-args";
import { runBench } from "./harness/bench-lifecycle";
import { startBenchSandbox } from "./harness/bench-sandbox";
import type { SdkClientSettings } from "./harness/client-protocol";
import { CPU_TAG_ENV } from "./harness/cpu-time";
import { measureRun, type RunResult } from "./harness/measure-run";
import { writeReport } from "./harness/report";
import { ScriptProcess } from "./harness/script-process";
import {
  buildSandboxSpeedReport,
  formatSandboxSpeedReport,
  SANDBOX_SPEED_REPORT,
} from "./reports/sandbox-speed";

const BENCH = "sandbox-speed";
const BARE_SCRIPT = fileURLToPath(new URL("./harness/bare-server.ts", import.meta.url));
// Node 20 refuses --cpu-prof in NODE_OPTIONS; this preload records the profile through node:inspector.
const PROFILE_PRELOAD = new URL("./harness/cpu-profile-preload.mjs", import.meta.url).href;
const WARMUP_MS = 1_000;
const BATCH_ITEMS = 50;
const MERCHANT_SEED = 11;

const { seconds, concurrency, clients, cpuProfDir } = parseBenchArgs(BENCH, { cpuProf: true });
const progress = (line: string) => process.stdout.write(`${line}\n`);
let sandbox: SandboxProcess | undefined;

async function main(): Promise<number> {
  const sandboxTag = `sandbox-${randomUUID()}`;
  const bareTag = `bare-${randomUUID()}`;

  progress(`${BENCH}: starting the sandbox (fast latency profile)…`);
  sandbox = await startBenchSandbox(
    sandboxTag,
    cpuProfDir === undefined
      ? {}
      : { NODE_OPTIONS: `--import=${PROFILE_PRELOAD}`, RISKQ_BENCH_CPU_PROF_DIR: cpuProfDir },
  );
  const sdk = createSdk(sandbox);
  const [merchant] = generateMerchants({ seed: MERCHANT_SEED, count: 1 });
  const onboarded = await onboardMerchant(sandbox, sdk, merchant!.merchant_id);
  const key = await currentAesKey(sdk);

  progress(`${BENCH}: starting the bare crypto server…`);
  const bare = new ScriptProcess("bare server", BARE_SCRIPT, {
    BENCH_KEYS_DIR: sandbox.keysDir,
    BENCH_AES_KEY: key.aes_key,
    [CPU_TAG_ENV]: bareTag,
  });
  const { url: bareUrl } = await bare.next<{ url: string }>(30_000);

  const client = (url: string): SdkClientSettings => ({
    mode: "sdk",
    url,
    appId: sandbox!.appId,
    appPrivateKey: sandbox!.appPrivateKey,
    platformPublicKey: sandbox!.platformPublicKey,
    aesKey: key.aes_key,
    appAuthToken: onboarded.appAuthToken,
    merchant: merchant!,
    concurrency,
    warmupMs: WARMUP_MS,
    measureMs: seconds * 1000,
    batchItems: BATCH_ITEMS,
  });
  const plan = [
    { target: "bare (before)", url: bareUrl, serverTag: bareTag },
    { target: "sandbox", url: sandbox.url, serverTag: sandboxTag },
    { target: "bare (after)", url: bareUrl, serverTag: bareTag },
  ];
  const runs: RunResult[] = [];
  for (const [i, step] of plan.entries()) {
    const run = await measureRun({
      target: step.target,
      serverTag: step.serverTag,
      client: client(step.url),
      clients,
      seedBase: 1_000 * (i + 1),
      progress,
    });
    progress(`${BENCH}: ${step.target}: ${run.calls_per_s.toFixed(1)} calls/s`);
    runs.push(run);
  }

  const report = buildSandboxSpeedReport(
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
  progress(`\n${formatSandboxSpeedReport(report)}`);
  // Profiling slows the sandbox: such figures must not stand as the recorded result.
  if (cpuProfDir === undefined) progress(`${BENCH}: wrote ${writeReport(SANDBOX_SPEED_REPORT, report)}`);
  else {
    // Divides the profile's totals into per-call figures.
    const ledger = await sandbox.control.ledger();
    progress(
      `${BENCH}: the sandbox answered ${ledger.calls} /v3 calls in all (${ledger.items} items scored)`,
    );
  }

  const failed = runs.filter((r) => r.errors > 0);
  for (const r of failed)
    progress(`${BENCH}: ${r.target} had ${r.errors} failed calls, first: ${r.first_error}`);
  // Failed calls make the figures meaningless (errors are cheaper than answers).
  return failed.length > 0 ? 1 : 0;
}

const exitCode = await runBench(BENCH, main, async () => {
  await sandbox?.stop();
});
if (cpuProfDir !== undefined) progress(`${BENCH}: sandbox CPU profiles in ${cpuProfDir}`);
process.exit(exitCode);

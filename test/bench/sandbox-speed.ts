/**
 * `pnpm bench`: how fast is the sandbox next to the bare cost of the API's cryptography?
 *
 * Starts the sandbox (fast latency profile) and a bare node:crypto server doing only the same RSA
 * verification, AES and response signing (bench/bare-server.ts), then drives each from separate
 * client processes with the official alipay-sdk (bench/client.ts): bare, sandbox, bare again (the
 * two bare runs are averaged to cancel drift). Prints calls/s, latency and CPU shares, the ratio
 * sandbox/bare (target ≥ 0.8), and writes bench/sandbox-speed.json at the repository root.
 *
 * Flags: --seconds N (measured window, default 5), --concurrency N (calls in flight per client,
 * default 8), --clients N (client processes, default 2), --cpu-prof DIR (write V8 CPU profiles of
 * the sandbox to DIR, for finding where its time goes).
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateMerchants } from "@riskq/synthetic";
import { createSdk, currentAesKey, onboardMerchant, type SandboxProcess, startSandbox } from "@riskq/testing";
import type { ClientConfig } from "./bench/client-protocol";
import { CPU_TAG_ENV } from "./bench/cpu-time";
import { measureRun, type RunResult } from "./bench/measure-run";
import { buildReport, formatReport, writeReport } from "./bench/report";
import { ScriptProcess, stopAllScripts } from "./bench/script-process";

const BARE_SCRIPT = fileURLToPath(new URL("./bench/bare-server.ts", import.meta.url));
// Node 20 refuses --cpu-prof in NODE_OPTIONS; this preload records the profile through node:inspector.
const PROFILE_PRELOAD = new URL("./bench/cpu-profile-preload.mjs", import.meta.url).href;
const WARMUP_MS = 1_000;
const BATCH_ITEMS = 50;
const MERCHANT_SEED = 11;
/** Far above anything the bench reaches: we time the work, not the 429s. */
const UNLIMITED = 100_000;

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "8" },
    // One client process is CPU-bound by the SDK's signing and crypto-js AES (about 4.5 ms per call),
    // which would hide the server's cost; two keep a 2-core machine busy.
    clients: { type: "string", default: "2" },
    "cpu-prof": { type: "string" },
  },
});
const seconds = positive("seconds", values.seconds);
const concurrency = positive("concurrency", values.concurrency);
const clients = positive("clients", values.clients);
const cpuProfDir = values["cpu-prof"] === undefined ? undefined : resolve(values["cpu-prof"]);

const progress = (line: string) => process.stdout.write(`${line}\n`);
let sandbox: SandboxProcess | undefined;

async function cleanUp(): Promise<void> {
  await Promise.all([stopAllScripts(), sandbox?.stop()]);
}

let interrupted = false;
process.once("SIGINT", () => {
  interrupted = true;
  progress("bench: interrupted, stopping child processes…");
  void cleanUp().finally(() => process.exit(130));
});

async function main(): Promise<number> {
  const sandboxTag = `sandbox-${randomUUID()}`;
  const bareTag = `bare-${randomUUID()}`;

  progress("bench: starting the sandbox (fast latency profile)…");
  sandbox = await startSandbox({
    latencyProfile: "fast",
    env: {
      [CPU_TAG_ENV]: sandboxTag,
      ...(cpuProfDir === undefined
        ? {}
        : { NODE_OPTIONS: `--import=${PROFILE_PRELOAD}`, RISKQ_BENCH_CPU_PROF_DIR: cpuProfDir }),
    },
  });
  await sandbox.control.faults({
    rate_limits: { app_qps: UNLIMITED, app_burst: UNLIMITED, batch_qps: UNLIMITED, batch_burst: UNLIMITED },
  });
  const sdk = createSdk(sandbox);
  const [merchant] = generateMerchants({ seed: MERCHANT_SEED, count: 1 });
  const onboarded = await onboardMerchant(sandbox, sdk, merchant!.merchant_id);
  const key = await currentAesKey(sdk);

  progress("bench: starting the bare crypto server…");
  const bare = new ScriptProcess("bare server", BARE_SCRIPT, {
    BENCH_KEYS_DIR: sandbox.keysDir,
    BENCH_AES_KEY: key.aes_key,
    [CPU_TAG_ENV]: bareTag,
  });
  const { url: bareUrl } = await bare.next<{ url: string }>(30_000);

  const client = (url: string): Omit<ClientConfig, "seed"> => ({
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
    progress(`bench: ${step.target}: ${run.calls_per_s.toFixed(1)} calls/s`);
    runs.push(run);
  }

  const report = buildReport(
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
  progress(`\n${formatReport(report)}`);
  // Profiling slows the sandbox: such figures must not stand as the recorded result.
  if (cpuProfDir === undefined) progress(`bench: wrote ${writeReport(report)}`);
  else {
    // Divides the profile's totals into per-call figures.
    const ledger = await sandbox.control.ledger();
    progress(`bench: the sandbox answered ${ledger.calls} /v3 calls in all (${ledger.items} items scored)`);
  }

  const failed = runs.filter((r) => r.errors > 0);
  for (const r of failed)
    progress(`bench: ${r.target} had ${r.errors} failed calls, first: ${r.first_error}`);
  // Failed calls make the figures meaningless (errors are cheaper than answers).
  return failed.length > 0 ? 1 : 0;
}

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: --${name} must be a positive integer, got ${raw}\n`);
    process.exit(2);
  }
  return n;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  // Once interrupted, the children dying under main() is expected, not worth a stack trace.
  if (!interrupted)
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
} finally {
  await cleanUp();
}
if (cpuProfDir !== undefined) progress(`bench: sandbox CPU profiles in ${cpuProfDir}`);
process.exit(exitCode);

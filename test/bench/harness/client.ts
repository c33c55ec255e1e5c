/**
 * Bench client: drives one server, keeping `concurrency` encrypted batch/predict calls in flight,
 * and reports what it managed in the measured window. The config's `mode` picks how it calls: the
 * official alipay-sdk (sdk-scorer.ts) or riskq's own client (riskq-scorer.ts). Started by the
 * bench entry points through measure-run.ts (see client-protocol.ts for how they talk); not meant
 * to be run by hand.
 */
import { createInterface } from "node:readline";
import type { ScoreItem } from "@riskq/contracts";
import { generateTraffic } from "@riskq/synthetic";
import {
  CLIENT_CONFIG_ENV,
  type ClientConfig,
  type ClientReady,
  type ClientResult,
  type ClientStart,
  percentile,
} from "./client-protocol";

/** Distinct payments to cycle through; each call re-labels its 50 with fresh item ids. */
const POOL_SIZE = 2_000;

const config = readConfig();

// Each scorer loads only what its mode needs (no Redis connection for the SDK runs).
const scorer =
  config.mode === "sdk"
    ? (await import("./sdk-scorer")).createSdkScorer(config)
    : (await import("./riskq-scorer")).createRiskqScorer(config);
const pool = generateTraffic({
  seed: config.seed,
  merchants: [config.merchant],
  count: POOL_SIZE,
  start: Date.now(),
});
let callNo = 0;

/** The next 50 items of the pool, with ids never sent before (the model is stateful, ids are not reused). */
function nextItems(): ScoreItem[] {
  const call = callNo++;
  const items: ScoreItem[] = [];
  for (let i = 0; i < config.batchItems; i++) {
    const source = pool[(call * config.batchItems + i) % pool.length]!.item;
    items.push({ ...source, item_id: `b${config.seed}_${call}_${i}` });
  }
  return items;
}

const scoreOnce = () => scorer.score(nextItems());

async function run(startAt: number): Promise<ClientResult> {
  await sleepUntil(startAt);
  const windowStart = startAt + config.warmupMs;
  const windowEnd = windowStart + config.measureMs;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;

  let cpuAtStart = process.cpuUsage();
  let wallAtStart = Date.now();
  const startSample = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
    wallAtStart = Date.now();
  }, windowStart - Date.now());

  const worker = async () => {
    while (Date.now() < windowEnd) {
      const began = performance.now();
      let failed = false;
      try {
        await scoreOnce();
      } catch (error) {
        failed = true;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const done = Date.now();
      // Only calls that complete inside the window count; warm-up and overrun calls do not.
      if (done < windowStart || done > windowEnd) continue;
      if (failed) errors += 1;
      else latencies.push(Math.round((performance.now() - began) * 10) / 10);
    }
  };
  const workers = Array.from({ length: config.concurrency }, worker);
  await sleepUntil(windowEnd);
  const cpu = process.cpuUsage(cpuAtStart);
  const wallMs = Date.now() - wallAtStart;
  clearTimeout(startSample);
  await Promise.all(workers);

  latencies.sort((a, b) => a - b);
  const seconds = config.measureMs / 1000;
  return {
    event: "result",
    calls: latencies.length,
    errors,
    seconds,
    calls_per_s: round1(latencies.length / seconds),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    cpu_pct: round1(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
    ...(firstError === undefined ? {} : { first_error: firstError }),
    latencies_ms: latencies,
  };
}

function readConfig(): ClientConfig {
  const raw = process.env[CLIENT_CONFIG_ENV];
  if (raw === undefined) {
    process.stderr.write(
      `bench client: ${CLIENT_CONFIG_ENV} is not set (this process is started by measure-run.ts)\n`,
    );
    process.exit(2);
  }
  return JSON.parse(raw) as ClientConfig;
}

function sleepUntil(epochMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const print = (message: ClientReady | ClientResult) => process.stdout.write(`${JSON.stringify(message)}\n`);

const stdin = createInterface({ input: process.stdin });
// The orchestrator gone (stdin closed) means nobody will read our answer: leave, never linger.
stdin.once("close", () => process.exit(0));
stdin.once("line", (line) => {
  const { start_at } = JSON.parse(line) as ClientStart;
  run(start_at).then(
    (result) => {
      print(result);
      scorer.close();
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(
        `bench client: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
});
print({ event: "ready" });

/**
 * The local pre-filter on held-out labelled traffic (part of `pnpm bench`): merchants and days that
 * neither training nor threshold choice saw, scored by the real sandbox process. Printed, never
 * asserted; writes bench/prefilter.json. Per task (--tasks, default all three):
 *
 * 1. remote only — every item to the sandbox in per-merchant batches of ≤ 100, in time order;
 * 2. pipeline — the built-in pre-filter decides its clear cases, the rest go to the sandbox the
 *    same way (after a reset: the remote model is stateful, so it sees only what riskq sends it).
 *
 * Compared: the precision of each kind of local decision against the remote's same kind (its
 * `flagged` and its unflagged), the AUC of the whole pipeline (pre-filter confidences for what it
 * decided, the remote's for the rest) against remote only, the share decided locally, and the cost
 * per 1 000 transactions: naive (one `predict` call per item at 0.7, priced from contract 9 with the
 * remote's measured flags) against riskq (the sandbox ledger of the pipeline run). Also the
 * in-process time of one verdict. Flags: --items (40 000), --merchants (300), --seed (9101).
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379) for the client's tokens and keys.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { type AlipayClient, createAlipayClient } from "@riskq/alipay";
import { DEFAULT_CONFIDENCE_THRESHOLD, type ScoreItem, TASKS, type Task } from "@riskq/contracts";
import { PUBLISHED_PRICES } from "@riskq/cost";
import { builtInPrefilter, type PrefilterVerdict, precisionOf, rocAuc } from "@riskq/prefilter";
import { generateMerchants, generateTraffic, type LabelledItem } from "@riskq/synthetic";
import type { SandboxProcess } from "@riskq/testing";
import { Redis } from "ioredis";
import { pino } from "pino";
import { runBench } from "./harness/bench-lifecycle";
import { startBenchSandbox } from "./harness/bench-sandbox";
import { deletePrefix, newBenchPrefix } from "./harness/redis-prefix";
import { writeReport } from "./harness/report";
import {
  AUC_TOLERANCE,
  COST_TARGET_RATIO,
  type DecisionQuality,
  formatPrefilterReport,
  P99_TARGET_US,
  PREFILTER_REPORT,
  type PrefilterReport,
  type TaskResult,
} from "./reports/prefilter";

const BENCH = "prefilter";
const MODEL_VERSION = "risk-v3-2026-11";
const BATCH_CAP = 100;
/** Merchants scored at once (each merchant's own batches stay in order: the remote is stateful). */
const MERCHANTS_IN_FLIGHT = 8;
const UNLIMITED = { app_qps: 100_000, app_burst: 100_000, batch_qps: 100_000, batch_burst: 100_000 };

const args = parseFlags();
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
const live: { sandbox: SandboxProcess | undefined; prefixes: string[] } = {
  sandbox: undefined,
  prefixes: [],
};

async function main(): Promise<number> {
  const merchants = generateMerchants({ seed: args.seed, count: args.merchants });
  const traffic = generateTraffic({
    seed: args.seed,
    merchants,
    count: args.items,
    start: "2026-11-20T00:00:00Z",
  });
  const labels = traffic.map((t) => t.is_fraud);
  progress(
    `${traffic.length} held-out items, ${labels.filter(Boolean).length} frauds, ${merchants.length} merchants`,
  );

  const prefilter = builtInPrefilter();
  const { verdicts, latency } = await judgeAll(prefilter, traffic);
  progress(`verdict time p50 ${latency.p50.toFixed(1)} µs, p99 ${latency.p99.toFixed(1)} µs`);

  live.sandbox = await startBenchSandbox(`${BENCH}-${randomBytes(4).toString("hex")}`);
  const tasks: TaskResult[] = [];
  for (const task of args.tasks) {
    progress(`${task}: remote only…`);
    const remote = await scoreRemotely(live.sandbox, task, traffic, () => true);
    progress(`${task}: pipeline (pre-filter first)…`);
    const sent = (i: number) => {
      const d = verdicts[i]!.decision;
      return d === "unsure" || d === "unjudged";
    };
    const rest = await scoreRemotely(live.sandbox, task, traffic, sent);
    tasks.push(taskResult(task, labels, verdicts, remote, rest));
  }

  const report: PrefilterReport = {
    measured_at: new Date().toISOString(),
    machine: {
      cpu_model: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    settings: {
      items: traffic.length,
      merchants: merchants.length,
      seed: args.seed,
      model_version: MODEL_VERSION,
      batch_cap: BATCH_CAP,
    },
    prefilter: { model_version: prefilter.modelVersion, ...prefilter.thresholds },
    latency_us: { ...latency, target_p99: P99_TARGET_US, meets_target: latency.p99 <= P99_TARGET_US },
    tasks,
    meets_targets:
      latency.p99 <= P99_TARGET_US && tasks.every((t) => Object.values(t.meets).every((met) => met)),
    table_row: tableRow(tasks, latency.p99),
  };
  progress(`\n${formatPrefilterReport(report)}`);
  progress(`wrote ${writeReport(PREFILTER_REPORT, report)}`);
  return 0;
}

/** Every item's verdict, each timed on its own (the worker judges one job at a time). */
async function judgeAll(prefilter: ReturnType<typeof builtInPrefilter>, traffic: readonly LabelledItem[]) {
  // A warm-up pass first: the first calls pay for the JIT, not for the model.
  for (const { item } of traffic.slice(0, 2_000)) await prefilter.judge(item);
  const verdicts: PrefilterVerdict[] = [];
  const times: number[] = [];
  for (const { item } of traffic) {
    const startedAt = performance.now();
    verdicts.push(await prefilter.judge(item));
    times.push((performance.now() - startedAt) * 1_000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0, 1);
  return {
    verdicts,
    latency: { items: times.length, p50: at(0.5), p99: at(0.99), max: round(times.at(-1) ?? 0, 1) },
  };
}

interface RemoteRun {
  /** Confidence per item index; NaN for items not sent. */
  confidence: Float64Array;
  sent: number;
  calls: number;
  costUsd: number;
}

/**
 * Scores the chosen items on a freshly reset sandbox (same seed: same answers to the same calls),
 * each merchant's items in time order in batches of ≤ BATCH_CAP, several merchants at once.
 */
async function scoreRemotely(
  sandbox: SandboxProcess,
  task: Task,
  traffic: readonly LabelledItem[],
  chosen: (index: number) => boolean,
): Promise<RemoteRun> {
  await sandbox.reset();
  await sandbox.control.faults({ rate_limits: UNLIMITED });
  const prefix = newBenchPrefix();
  live.prefixes.push(prefix);
  const client = createAlipayClient({
    endpoint: sandbox.url,
    appId: sandbox.appId,
    appPrivateKey: sandbox.appPrivateKey,
    platformPublicKey: sandbox.platformPublicKey,
    redis,
    prefix,
    secretKey: randomBytes(32),
    logger: pino({ level: "warn" }),
  });
  const byMerchant = new Map<string, number[]>();
  traffic.forEach(({ item }, i) => {
    if (!chosen(i)) return;
    const list = byMerchant.get(item.merchant_id) ?? [];
    list.push(i);
    byMerchant.set(item.merchant_id, list);
  });
  for (const merchantId of byMerchant.keys()) {
    const { auth_code } = await sandbox.control.createMerchant(merchantId);
    await client.onboardMerchant(merchantId, auth_code);
  }

  const confidence = new Float64Array(traffic.length).fill(Number.NaN);
  let calls = 0;
  const queue = [...byMerchant.entries()];
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [merchantId, indices] = next;
      for (let from = 0; from < indices.length; from += BATCH_CAP) {
        const batch = indices.slice(from, from + BATCH_CAP);
        calls++;
        const answered = await scoreBatch(
          client,
          merchantId,
          task,
          batch.map((i) => traffic[i]!.item),
        );
        batch.forEach((i, k) => {
          confidence[i] = answered[k]!;
        });
      }
    }
  };
  await Promise.all(Array.from({ length: MERCHANTS_IN_FLIGHT }, lane));
  const ledger = await sandbox.control.ledger();
  await deletePrefix(redis, prefix);
  const sent = [...byMerchant.values()].reduce((n, list) => n + list.length, 0);
  return { confidence, sent, calls, costUsd: ledger.cost_usd };
}

async function scoreBatch(client: AlipayClient, merchantId: string, task: Task, items: ScoreItem[]) {
  const res = await client.scoreBatch({
    merchantId,
    task,
    modelVersion: MODEL_VERSION,
    threshold: DEFAULT_CONFIDENCE_THRESHOLD,
    items,
  });
  if (res.missing) throw new Error(`${res.missing.itemIds.length} items unanswered: ${res.missing.message}`);
  return res.outcomes.map((o) => ("result" in o ? o.result.confidence : Number.NaN));
}

function qualityOf(
  indices: readonly number[],
  labels: readonly boolean[],
  claim: "fraud" | "legit",
): DecisionQuality {
  const counts = { items: indices.length, fraud: indices.filter((i) => labels[i]).length };
  return { ...counts, precision: round(precisionOf(counts, claim), 4) };
}

function taskResult(
  task: Task,
  labels: readonly boolean[],
  verdicts: readonly PrefilterVerdict[],
  remote: RemoteRun,
  rest: RemoteRun,
): TaskResult {
  const all = labels.map((_, i) => i);
  const fraudTotal = labels.filter(Boolean).length;
  const flaggedBy = (conf: Float64Array) => (i: number) =>
    (conf[i] as number) >= DEFAULT_CONFIDENCE_THRESHOLD;
  const remoteFlags = flaggedBy(remote.confidence);
  const legit = all.filter((i) => verdicts[i]!.decision === "legit");
  const fraud = all.filter((i) => verdicts[i]!.decision === "fraud");
  const local = (i: number) => verdicts[i]!.decision === "legit" || verdicts[i]!.decision === "fraud";

  // The pipeline's answer per item: the pre-filter's for what it decided, the remote's for the rest.
  const pipelineScore = all.map((i) => {
    const v = verdicts[i]!;
    return local(i) && v.decision !== "unjudged" ? v.score.confidence : (rest.confidence[i] as number);
  });
  const pipelineFlagged = all.filter((i) => (pipelineScore[i] as number) >= DEFAULT_CONFIDENCE_THRESHOLD);
  const remoteFlagged = all.filter(remoteFlags);
  const remoteAuc = rocAuc(remote.confidence, labels);
  const pipelineAuc = rocAuc(pipelineScore, labels);

  const items = labels.length;
  const naive =
    items * (PUBLISHED_PRICES.callFeeUsd + PUBLISHED_PRICES.itemFeeUsd) +
    remoteFlagged.length * PUBLISHED_PRICES.reviewFeeUsd;
  const per1k = (usd: number) => round((usd / items) * 1_000, 4);
  const remoteUnflagged = all.filter((i) => !remoteFlags(i));
  const result: TaskResult = {
    task,
    items,
    fraud: fraudTotal,
    remote_only: {
      auc: round(remoteAuc, 4),
      flagged: qualityOf(remoteFlagged, labels, "fraud"),
      unflagged: qualityOf(remoteUnflagged, labels, "legit"),
      recall: round(remoteFlagged.filter((i) => labels[i]).length / fraudTotal, 4),
      calls: remote.calls,
      cost_usd: remote.costUsd,
    },
    prefilter: {
      legit: qualityOf(legit, labels, "legit"),
      fraud: qualityOf(fraud, labels, "fraud"),
      unsure: all.filter((i) => verdicts[i]!.decision === "unsure").length,
      unjudged: all.filter((i) => verdicts[i]!.decision === "unjudged").length,
      decided_share: round((legit.length + fraud.length) / items, 4),
      // The remote's own decisions of the same kind on the same items: what it let through of those
      // the pre-filter cleared, what it flagged of those the pre-filter called fraud.
      remote_on_legit: qualityOf(
        legit.filter((i) => !remoteFlags(i)),
        labels,
        "legit",
      ),
      remote_on_fraud: qualityOf(fraud.filter(remoteFlags), labels, "fraud"),
    },
    pipeline: {
      auc: round(pipelineAuc, 4),
      auc_change: round(pipelineAuc - remoteAuc, 4),
      flagged: qualityOf(pipelineFlagged, labels, "fraud"),
      recall: round(pipelineFlagged.filter((i) => labels[i]).length / fraudTotal, 4),
      items_sent: rest.sent,
      calls: rest.calls,
      cost_usd: rest.costUsd,
    },
    cost_per_1k: {
      naive_usd: per1k(naive),
      batched_usd: per1k(remote.costUsd),
      riskq_usd: per1k(rest.costUsd),
      naive_over_riskq: round(naive / rest.costUsd, 1),
    },
    meets: { legit_precision: false, fraud_precision: false, auc: false, cost: false },
  };
  result.meets = {
    // On the same items (the test): what Alipay decided for the items the pre-filter decided.
    legit_precision: result.prefilter.legit.precision >= result.prefilter.remote_on_legit.precision,
    fraud_precision: result.prefilter.fraud.precision >= result.prefilter.remote_on_fraud.precision,
    auc: pipelineAuc >= remoteAuc - AUC_TOLERANCE,
    cost: result.cost_per_1k.naive_over_riskq >= COST_TARGET_RATIO,
  };
  return result;
}

function tableRow(tasks: readonly TaskResult[], p99Us: number): PrefilterReport["table_row"] {
  const worst = tasks.reduce((a, b) =>
    b.cost_per_1k.naive_over_riskq < a.cost_per_1k.naive_over_riskq ? b : a,
  );
  const share = Math.min(...tasks.map((t) => t.prefilter.decided_share));
  const aucDrop = Math.min(...tasks.map((t) => t.pipeline.auc_change));
  return {
    benchmark: `cost per 1 000 transactions at equal quality, held-out traffic (${tasks.map((t) => t.task).join(", ")}; worst shown)`,
    riskq: `$${worst.cost_per_1k.riskq_usd.toFixed(3)} (batching + pre-filter: ≥ ${(share * 100).toFixed(0)} % decided locally, AUC change ≥ ${aucDrop.toFixed(4)}, p99 ${p99Us.toFixed(0)} µs/verdict)`,
    baseline: `naive \`predict\` per item $${worst.cost_per_1k.naive_usd.toFixed(2)}`,
    ratio: `${worst.cost_per_1k.naive_over_riskq.toFixed(1)}×`,
    target: `≥ ${COST_TARGET_RATIO}× cheaper, AUC within ${AUC_TOLERANCE}, precision ≥ remote's on the same items`,
    meets: tasks.every((t) => Object.values(t.meets).every((met) => met)) && p99Us <= P99_TARGET_US,
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function parseFlags() {
  const { values } = parseArgs({
    options: {
      items: { type: "string", default: "40000" },
      merchants: { type: "string", default: "300" },
      seed: { type: "string", default: "9101" },
      tasks: { type: "string", default: TASKS.join(",") },
    },
  });
  const positive = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`${BENCH}: --${name} must be a positive integer, got ${raw}\n`);
      process.exit(2);
    }
    return n;
  };
  const tasks = values.tasks.split(",").map((t) => t.trim());
  const unknown = tasks.filter((t) => !(TASKS as readonly string[]).includes(t));
  if (unknown.length > 0) {
    process.stderr.write(`${BENCH}: unknown task(s) ${unknown.join(", ")}; use ${TASKS.join(", ")}\n`);
    process.exit(2);
  }
  return {
    items: positive("items", values.items),
    merchants: positive("merchants", values.merchants),
    seed: positive("seed", values.seed),
    tasks: tasks as Task[],
  };
}

process.exit(
  await runBench(BENCH, main, async () => {
    for (const prefix of live.prefixes) await deletePrefix(redis, prefix).catch(() => 0);
    await live.sandbox?.stop();
    redis.disconnect();
  }),
);

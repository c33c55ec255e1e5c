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
 * per 1 000 transactions: naive (one `predict` call per item at 0.7, priced from docs/alipay-ai-api.md §9 with the
 * remote's measured flags) against riskq (the sandbox ledger of the pipeline run). Also the
 * in-process time of one verdict. Flags: --items (40 000), --merchants (300), --seed (9101).
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379) for the client's tokens and keys.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_CONFIDENCE_THRESHOLD, type Task } from "@riskq/contracts";
import { PUBLISHED_PRICES } from "@riskq/cost";
import { builtInPrefilter, type PrefilterVerdict, rocAuc } from "@riskq/prefilter";
import type { LabelledItem } from "@riskq/synthetic";
import type { SandboxProcess } from "@riskq/testing";
import { Redis } from "ioredis";
import { runBench } from "./harness/bench-lifecycle";
import { startBenchSandbox } from "./harness/bench-sandbox";
import { heldOutTraffic, parseHeldOutFlags } from "./harness/held-out-traffic";
import { deletePrefix } from "./harness/redis-prefix";
import { machineInfo, writeReport } from "./harness/report";
import {
  decidedLocally,
  HELD_OUT_BATCH_CAP,
  HELD_OUT_MODEL_VERSION,
  pipelineConfidences,
  type RemoteRun,
  scoreRemotely,
} from "./harness/score-held-out";
import {
  AUC_TOLERANCE,
  COST_TARGET_RATIO,
  decisionQuality,
  formatPrefilterReport,
  P99_TARGET_US,
  PREFILTER_REPORT,
  type PrefilterReport,
  type TaskResult,
} from "./reports/prefilter";

const BENCH = "prefilter";

const args = parseHeldOutFlags(BENCH);
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
const live: { sandbox: SandboxProcess | undefined; prefixes: string[] } = {
  sandbox: undefined,
  prefixes: [],
};

async function main(): Promise<number> {
  const { merchants, traffic } = heldOutTraffic(args);
  const labels = traffic.map((t) => t.is_fraud);
  progress(
    `${traffic.length} held-out items, ${labels.filter(Boolean).length} frauds, ${merchants} merchants`,
  );

  const prefilter = builtInPrefilter();
  const { verdicts, latency } = await judgeAll(prefilter, traffic);
  progress(`verdict time p50 ${latency.p50.toFixed(1)} µs, p99 ${latency.p99.toFixed(1)} µs`);

  live.sandbox = await startBenchSandbox(`${BENCH}-${randomBytes(4).toString("hex")}`);
  const remoteSetup = { sandbox: live.sandbox, redis, prefixes: live.prefixes };
  const tasks: TaskResult[] = [];
  for (const task of args.tasks) {
    progress(`${task}: remote only…`);
    const remote = await scoreRemotely({ ...remoteSetup, task, traffic, chosen: () => true });
    progress(`${task}: pipeline (pre-filter first)…`);
    const sent = (i: number) => !decidedLocally(verdicts[i]!);
    const rest = await scoreRemotely({ ...remoteSetup, task, traffic, chosen: sent });
    tasks.push(taskResult(task, labels, verdicts, remote, rest));
  }

  const report: PrefilterReport = {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    settings: {
      items: traffic.length,
      merchants,
      seed: args.seed,
      model_version: HELD_OUT_MODEL_VERSION,
      batch_cap: HELD_OUT_BATCH_CAP,
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
  const pipelineScore = pipelineConfidences(verdicts, rest);
  const pipelineFlagged = all.filter((i) => (pipelineScore[i] as number) >= DEFAULT_CONFIDENCE_THRESHOLD);
  const pipelineUnflagged = all.filter((i) => (pipelineScore[i] as number) < DEFAULT_CONFIDENCE_THRESHOLD);
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
      flagged: decisionQuality(remoteFlagged, labels, "fraud"),
      unflagged: decisionQuality(remoteUnflagged, labels, "legit"),
      recall: round(remoteFlagged.filter((i) => labels[i]).length / fraudTotal, 4),
      calls: remote.calls,
      cost_usd: remote.costUsd,
    },
    prefilter: {
      legit: decisionQuality(legit, labels, "legit"),
      fraud: decisionQuality(fraud, labels, "fraud"),
      unsure: all.filter((i) => verdicts[i]!.decision === "unsure").length,
      unjudged: all.filter((i) => verdicts[i]!.decision === "unjudged").length,
      decided_share: round((legit.length + fraud.length) / items, 4),
      // The remote's own decisions of the same kind on the same items: what it let through of those
      // the pre-filter cleared, what it flagged of those the pre-filter called fraud.
      remote_on_legit: decisionQuality(
        legit.filter((i) => !remoteFlags(i)),
        labels,
        "legit",
      ),
      remote_on_fraud: decisionQuality(fraud.filter(remoteFlags), labels, "fraud"),
    },
    pipeline: {
      auc: round(pipelineAuc, 4),
      auc_change: round(pipelineAuc - remoteAuc, 4),
      flagged: decisionQuality(pipelineFlagged, labels, "fraud"),
      unflagged: decisionQuality(pipelineUnflagged, labels, "legit"),
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
  const { remote_only: r, prefilter: p } = result;
  result.meets = {
    // Each kind of local decision at least as precise as the remote's decisions of that kind on
    // exactly the items decided locally, and as the remote's of that kind over all held-out items.
    legit_precision:
      p.legit.precision >= p.remote_on_legit.precision && p.legit.precision >= r.unflagged.precision,
    fraud_precision:
      p.fraud.precision >= p.remote_on_fraud.precision && p.fraud.precision >= r.flagged.precision,
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

process.exit(
  await runBench(BENCH, main, async () => {
    for (const prefix of live.prefixes) await deletePrefix(redis, prefix).catch(() => 0);
    await live.sandbox?.stop();
    redis.disconnect();
  }),
);

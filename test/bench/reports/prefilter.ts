import { precisionOf } from "@riskq/prefilter";
import type { MachineInfo } from "../harness/report";
import type { ResultRow } from "../harness/results-table";

/** Written to bench/prefilter.json. */
export const PREFILTER_REPORT = "prefilter";
/** riskq (batching + pre-filter) must cost at most this fraction of naive one-call-per-item scoring. */
export const COST_TARGET_RATIO = 20;
/** The whole pipeline's AUC may fall at most this far below remote-only scoring. */
export const AUC_TOLERANCE = 0.01;
/** In-process time of one pre-filter verdict. */
export const P99_TARGET_US = 1_000;

/** One set of decisions against the truth. */
export interface DecisionQuality {
  items: number;
  fraud: number;
  /** Share that is what the decision claims (fraud for flagged/fraud sets, legitimate otherwise). */
  precision: number;
}

/** The decisions on these item indices against the truth. */
export function decisionQuality(
  indices: readonly number[],
  labels: readonly boolean[],
  claim: "fraud" | "legit",
): DecisionQuality {
  const counts = { items: indices.length, fraud: indices.filter((i) => labels[i]).length };
  return { ...counts, precision: Math.round(precisionOf(counts, claim) * 10_000) / 10_000 };
}

export interface TaskResult {
  task: string;
  items: number;
  fraud: number;
  remote_only: {
    auc: number;
    flagged: DecisionQuality;
    unflagged: DecisionQuality;
    /** Share of all fraud it flagged. */
    recall: number;
    calls: number;
    cost_usd: number;
  };
  prefilter: {
    legit: DecisionQuality;
    fraud: DecisionQuality;
    unsure: number;
    unjudged: number;
    /** Share of items decided locally (legit + fraud). */
    decided_share: number;
    /**
     * The remote's decisions of the same kind on exactly the items the pre-filter decided (remote-only
     * run): its unflagged among those cleared locally, its flagged among those called fraud locally.
     */
    remote_on_legit: DecisionQuality;
    remote_on_fraud: DecisionQuality;
  };
  pipeline: {
    auc: number;
    auc_change: number;
    flagged: DecisionQuality;
    /** What the pipeline cleared: the pre-filter's legit decisions and the remote's unflagged. */
    unflagged: DecisionQuality;
    recall: number;
    items_sent: number;
    calls: number;
    cost_usd: number;
  };
  cost_per_1k: {
    /** One `predict` call per item at threshold 0.7: prices × items + review fees of the remote's flags. */
    naive_usd: number;
    /** riskq's batching alone (the remote-only run's bill). */
    batched_usd: number;
    /** riskq: batching and pre-filter (the pipeline run's bill). */
    riskq_usd: number;
    naive_over_riskq: number;
  };
  /**
   * legit/fraud precision: that kind of local decision at least as precise as the remote's decisions
   * of that kind on exactly the same items, and as the remote's of that kind over all held-out items.
   */
  meets: { legit_precision: boolean; fraud_precision: boolean; auc: boolean; cost: boolean };
}

export interface PrefilterReport {
  measured_at: string;
  machine: MachineInfo;
  settings: {
    items: number;
    merchants: number;
    seed: number;
    model_version: string;
    batch_cap: number;
  };
  prefilter: { model_version: string; legit_max: number; fraud_min: number };
  latency_us: {
    items: number;
    p50: number;
    p99: number;
    max: number;
    target_p99: number;
    meets_target: boolean;
  };
  tasks: TaskResult[];
  meets_targets: boolean;
  table_row: ResultRow;
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;
const quality = (q: DecisionQuality) => `${q.items} items, precision ${q.precision.toFixed(4)}`;

/** The human-readable summary. */
export function formatPrefilterReport(report: PrefilterReport): string {
  const s = report.settings;
  const lines = [
    `${report.machine.cpu_model}, ${report.machine.cores} cores, node ${report.machine.node}`,
    `held-out traffic: ${s.items} items of ${s.merchants} merchants (seed ${s.seed}), remote ${s.model_version} in batches of ≤ ${s.batch_cap} per merchant`,
    `pre-filter ${report.prefilter.model_version}: legit ≤ ${report.prefilter.legit_max.toPrecision(4)}, fraud ≥ ${report.prefilter.fraud_min.toPrecision(4)}`,
    `verdict time in-process: p50 ${report.latency_us.p50.toFixed(1)} µs, p99 ${report.latency_us.p99.toFixed(1)} µs, max ${report.latency_us.max.toFixed(0)} µs (target p99 ≤ ${report.latency_us.target_p99} µs)`,
  ];
  for (const t of report.tasks) {
    const { remote_only: r, prefilter: p, pipeline: q, cost_per_1k: c } = t;
    lines.push(
      "",
      `${t.task} (${t.fraud} frauds in ${t.items}):`,
      `  remote only: AUC ${r.auc.toFixed(4)}; flagged ${quality(r.flagged)}, recall ${r.recall.toFixed(3)}; unflagged ${quality(r.unflagged)}`,
      `  pre-filter decided ${pct(p.decided_share)}: legit ${quality(p.legit)}; fraud ${quality(p.fraud)}; ${p.unsure} unsure, ${p.unjudged} unjudged`,
      `  remote on exactly those items: unflagged of the cleared ${quality(p.remote_on_legit)}; flagged of the called fraud ${quality(p.remote_on_fraud)}`,
      `  pipeline: AUC ${q.auc.toFixed(4)} (${q.auc_change >= 0 ? "+" : ""}${q.auc_change.toFixed(4)}); flagged ${quality(q.flagged)}, recall ${q.recall.toFixed(3)}; unflagged ${quality(q.unflagged)}; ${q.items_sent} items sent in ${q.calls} calls`,
      `  cost per 1 000: naive $${c.naive_usd.toFixed(3)}, batching only $${c.batched_usd.toFixed(4)}, riskq $${c.riskq_usd.toFixed(4)} → ${c.naive_over_riskq.toFixed(1)}× cheaper`,
      `  targets: cleared precision ≥ remote's unflagged (same items and all) ${ok(t.meets.legit_precision)}, called-fraud precision ≥ remote's flagged (same items and all) ${ok(t.meets.fraud_precision)}, AUC within ${AUC_TOLERANCE} ${ok(t.meets.auc)}, ≥ ${COST_TARGET_RATIO}× cheaper ${ok(t.meets.cost)}`,
    );
  }
  lines.push("", `all targets met: ${report.meets_targets ? "yes" : "NO"}`);
  return lines.join("\n");
}

const ok = (met: boolean) => (met ? "✓" : "✗");

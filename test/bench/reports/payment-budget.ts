import type { CallFigures, Recovery } from "../harness/budget-figures";
import type { MachineInfo } from "../harness/report";
import type { ResultRow } from "../harness/results-table";

/** Written to bench/payment-budget.json; `payment_budget` in bench/results.json. */
export const PAYMENT_BUDGET_REPORT = "payment-budget";

/** What riskq promises a payment path (issue "decisions inside the payment budget"). */
export const PAYMENT_BUDGET_TARGETS = {
  /** Answered 200 with a decision within deadline + 100 ms, over every counted phase. */
  decided_in_budget_share: 0.999,
  remote_share_overall: 0.9,
  remote_share_steady: 0.99,
  steady_p99_ms: 1_500,
  /** Storm end → the limiter's batch bucket back at ≥ 95 % of its pre-storm rate. */
  recovery_s: 2,
  /** The other merchants' p99 during one merchant's 1 000-item burst over their steady p99. */
  neighbour_p99_ratio: 1.2,
} as const;

export const PHASES = ["warm_up", "steady", "storm", "after_storm", "burst", "tail"] as const;
export type PhaseName = (typeof PHASES)[number];
/** The phases the overall figures are of: all but the warm-up, in which the limiter learns the rate. */
export const COUNTED_PHASES: readonly PhaseName[] = ["steady", "storm", "after_storm", "burst", "tail"];

export interface PhaseFigures extends CallFigures {
  seconds: number;
  /** What the sandbox answered in the phase's wall-clock window: scoring calls, and 429s among them. */
  sandbox_calls: number;
  sandbox_429: number;
}

/** The 1 000-item batch one merchant posts in the burst phase. */
export interface BurstBatch {
  items: number;
  status: number;
  round_trip_ms: number | null;
  by_job_status: Record<string, number>;
  by_source: Record<string, number>;
  decided_in_ms_p99: number | null;
}

interface BurstFigures extends PhaseFigures {
  /** p99 of the other merchants' requests in this phase, and in the steady phase. */
  neighbour_p99_ms: number | null;
  steady_neighbour_p99_ms: number | null;
  neighbour_p99_ratio: number | null;
  batch: BurstBatch;
}

interface CallerHealth {
  /** Never sent: too many requests were waiting for an answer already (should be 0). */
  skipped_in_flight: number;
  /** Never sent: the bench's process reached them more than a second late (should be 0). */
  skipped_late: number;
  /** The bench process's event-loop delay: above a few tens of ms, its clock readings are late too. */
  event_loop_delay_p99_ms: number;
  /** The machine's 1-minute load average when the traffic started and when it stopped. */
  load_avg_start: number;
  load_avg_end: number;
}

interface PaymentBudgetSettings {
  merchants: number;
  tasks: string[];
  per_merchant_per_s: number;
  workers: number;
  worker_env: Record<string, string>;
  wait_ms: number;
  deadline_ms: number;
  budget_ms: number;
  latency_profile: "realistic";
  batch_limit: { qps: number; burst: number };
  storm_limit: { qps: number; burst: number };
  phase_seconds: Record<PhaseName, number>;
  burst_items: number;
}

export interface PaymentBudgetReport {
  measured_at: string;
  machine: MachineInfo;
  settings: PaymentBudgetSettings;
  warm_up: PhaseFigures;
  steady: PhaseFigures;
  storm: PhaseFigures;
  after_storm: PhaseFigures;
  burst: BurstFigures;
  tail: PhaseFigures;
  /** Every counted phase together (warm-up left out). */
  overall: CallFigures;
  recovery_s: number | null;
  recovery: Recovery;
  /** How well the bench itself kept its schedule: on a busy machine its own stalls show here. */
  caller: CallerHealth;
  targets: typeof PAYMENT_BUDGET_TARGETS;
  meets: Record<
    | "decided_in_budget"
    | "remote_share_overall"
    | "remote_share_steady"
    | "steady_p99"
    | "recovery"
    | "neighbour_p99_ratio",
    boolean
  >;
  meets_targets: boolean;
}

/** Which targets the figures meet (a missing figure meets none). */
export function meetsTargets(
  r: Omit<PaymentBudgetReport, "meets" | "meets_targets">,
): PaymentBudgetReport["meets"] {
  const t = PAYMENT_BUDGET_TARGETS;
  const atMost = (v: number | null, max: number) => v !== null && v <= max;
  return {
    decided_in_budget: r.overall.decided_in_budget_share >= t.decided_in_budget_share,
    remote_share_overall: r.overall.remote_share >= t.remote_share_overall,
    remote_share_steady: r.steady.remote_share >= t.remote_share_steady,
    steady_p99: atMost(r.steady.p99_ms, t.steady_p99_ms),
    recovery: atMost(r.recovery_s, t.recovery_s),
    neighbour_p99_ratio: atMost(r.burst.neighbour_p99_ratio, t.neighbour_p99_ratio),
  };
}

const pct = (share: number, digits = 2) => `${(share * 100).toFixed(digits)} %`;
const ms = (v: number | null) => (v === null ? "–" : v.toFixed(0));
const counts = (c: Record<string, number>) =>
  Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "none";
const ok = (met: boolean) => (met ? "✓" : "✗");

/** The human-readable summary. */
export function formatPaymentBudgetReport(r: PaymentBudgetReport): string {
  const s = r.settings;
  const t = r.targets;
  const phases = PHASES.map((name) => [name, r[name]] as const);
  const lines = [
    `${r.machine.cpu_model}, ${r.machine.cores} cores, node ${r.machine.node}`,
    `${s.merchants} merchants × ${s.per_merchant_per_s} requests/s (POST /v1/scores?wait_ms=${s.wait_ms}, default deadline ${s.deadline_ms} ms), ` +
      `${s.workers} workers, realistic latency, batch limit ${s.batch_limit.qps}/s; decided in budget = 200 with a remote/prefilter/policy decision ≤ ${s.budget_ms} ms after sending`,
    "",
    table(
      [
        "phase",
        "s",
        "requests",
        "p50 ms",
        "p99 ms",
        "in budget",
        "remote",
        "API 429",
        "sandbox 429",
        "send lag p99",
      ],
      phases.map(([name, p]) => [
        name,
        p.seconds.toFixed(0),
        String(p.count),
        ms(p.p50_ms),
        ms(p.p99_ms),
        pct(p.decided_in_budget_share),
        pct(p.remote_share),
        String(p.api_429),
        `${p.sandbox_429}/${p.sandbox_calls}`,
        `${p.send_lag_p99_ms.toFixed(0)} ms`,
      ]),
    ),
    "",
    ...phases.map(
      ([name, p]) =>
        `${name}: sources ${counts(p.by_source)}; degraded ${counts(p.by_degraded_reason)}; HTTP ${counts(p.by_status)}` +
        (Object.keys(p.by_error).length > 0 ? ` (no answer: ${counts(p.by_error)})` : ""),
    ),
    "",
    `overall (${COUNTED_PHASES.join(", ")}): ${r.overall.count} requests, decided in budget ${pct(r.overall.decided_in_budget_share)} ` +
      `(target ≥ ${pct(t.decided_in_budget_share, 1)}) ${ok(r.meets.decided_in_budget)}, remote ${pct(r.overall.remote_share)} ` +
      `(target ≥ ${pct(t.remote_share_overall, 0)}) ${ok(r.meets.remote_share_overall)}`,
    `steady: p99 ${ms(r.steady.p99_ms)} ms (target ≤ ${t.steady_p99_ms}) ${ok(r.meets.steady_p99)}, remote ${pct(r.steady.remote_share)} ` +
      `(target ≥ ${pct(t.remote_share_steady, 0)}) ${ok(r.meets.remote_share_steady)}`,
    `storm: decided in budget ${pct(r.storm.decided_in_budget_share)}; limiter batch bucket ${r.recovery.pre_storm_rate ?? "–"}/s before, ` +
      `lowest ${r.recovery.lowest_rate ?? "–"}/s; back at ≥ ${pct(r.recovery.threshold_share, 0)} ` +
      (r.recovery_s === null
        ? `not within the ${r.recovery.watched_s} s watched`
        : `${r.recovery_s.toFixed(1)} s after the storm`) +
      ` (target ≤ ${t.recovery_s} s) ${ok(r.meets.recovery)}`,
    `burst: neighbours' p99 ${ms(r.burst.neighbour_p99_ms)} ms vs ${ms(r.burst.steady_neighbour_p99_ms)} ms steady → ratio ` +
      `${r.burst.neighbour_p99_ratio?.toFixed(2) ?? "–"} (target ≤ ${t.neighbour_p99_ratio}) ${ok(r.meets.neighbour_p99_ratio)}; ` +
      `the ${r.burst.batch.items}-item batch answered ${r.burst.batch.status} in ${ms(r.burst.batch.round_trip_ms)} ms ` +
      `(${counts(r.burst.batch.by_job_status)}; sources ${counts(r.burst.batch.by_source)})`,
  ];
  const c = r.caller;
  lines.push(
    `bench process: event-loop delay p99 ${c.event_loop_delay_p99_ms.toFixed(0)} ms; load average ${c.load_avg_start.toFixed(1)} → ${c.load_avg_end.toFixed(1)} on ${r.machine.cores} cores`,
  );
  if (c.skipped_in_flight + c.skipped_late > 0)
    lines.push(
      `note: requests never sent: ${c.skipped_in_flight} while too many were waiting, ${c.skipped_late} reached over a second late (the bench's process stalled): the figures are disturbed`,
    );
  lines.push(`all targets met: ${r.meets_targets ? "yes" : "NO"}`);
  return lines.join("\n");
}

/** The README table's rows. */
export function paymentBudgetRows(r: PaymentBudgetReport): ResultRow[] {
  const s = r.settings;
  const t = r.targets;
  const sec = (v: number | null) => (v === null ? "–" : `${(v / 1000).toFixed(2)} s`);
  return [
    {
      benchmark: `payments decided within the ${s.deadline_ms / 1000}-s budget: ${s.merchants} merchants × ${s.per_merchant_per_s} sync requests/s, realistic latency, a 3-s 429 storm and a 1 000-item burst`,
      riskq: `${pct(r.overall.decided_in_budget_share)} decided ≤ ${s.budget_ms / 1000} s, ${pct(r.overall.remote_share, 1)} by Alipay`,
      baseline: "—",
      ratio: "—",
      target: `≥ ${pct(t.decided_in_budget_share, 1)}, ≥ ${pct(t.remote_share_overall, 0)} remote`,
      meets: r.meets.decided_in_budget && r.meets.remote_share_overall,
    },
    {
      benchmark: "payment budget, steady phase",
      riskq: `p99 ${sec(r.steady.p99_ms)}, ${pct(r.steady.remote_share, 1)} by Alipay`,
      baseline: "—",
      ratio: "—",
      target: `p99 ≤ ${t.steady_p99_ms / 1000} s, ≥ ${pct(t.remote_share_steady, 0)} remote`,
      meets: r.meets.steady_p99 && r.meets.remote_share_steady,
    },
    {
      benchmark: "payment budget: limiter recovery after the storm; neighbours' p99 during a burst",
      riskq: `${r.recovery_s === null ? "not recovered" : `${r.recovery_s.toFixed(1)} s`}; ${r.burst.neighbour_p99_ratio?.toFixed(2) ?? "–"}× steady p99`,
      baseline: "—",
      ratio: "—",
      target: `≤ ${t.recovery_s} s; ≤ ${t.neighbour_p99_ratio}×`,
      meets: r.meets.recovery && r.meets.neighbour_p99_ratio,
    },
  ];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

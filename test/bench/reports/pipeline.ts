import type { MachineInfo } from "../harness/report";

/** Written to bench/pipeline.json. */
export const PIPELINE_REPORT = "pipeline";
/** riskq end to end must keep this share of a bare BullMQ no-op worker's jobs/s. */
export const THROUGHPUT_TARGET_RATIO = 0.6;
/** Share of the batch/predict limit used after warm-up, and the largest share of 429s allowed. */
export const UTILISATION_TARGET = 0.95;
export const THROTTLED_TARGET = 0.001;
/** p99 enqueue→result at realistic latency and half capacity. */
export const P99_TARGET_MS = 2_000;

export interface ThroughputRun {
  target: string;
  jobs: number;
  seconds: number;
  jobs_per_s: number;
  /** CPU of the worker process(es) per 1 000 jobs; undefined without /proc. */
  worker_cpu_ms_per_1k_jobs?: number;
}

export interface ThroughputResult {
  jobs: number;
  merchants: number;
  runs: ThroughputRun[];
  riskq_jobs_per_s: number;
  /** Mean of the bare runs, which alternate with riskq's (cancels drift); riskq_jobs_per_s is the mean of its runs. */
  bare_jobs_per_s: number;
  ratio: number;
  target_ratio: number;
  meets_target: boolean;
  /** Scoring calls the sandbox answered during riskq's run, and items per call. */
  calls: number;
  items_per_call: number;
}

export interface UtilisationResult {
  workers: number;
  batch_cap: number;
  seconds: number;
  warmup_s: number;
  batch_limit_per_s: number;
  /** Accepted scoring calls per second after warm-up. */
  batch_calls_per_s: number;
  utilisation: number;
  throttled_share: number;
  jobs_per_s: number;
  items_per_call: number;
  /** The shared limiter's buckets at the end of the window (rate and learned ceiling). */
  limiter: string;
  target_utilisation: number;
  target_throttled_share: number;
  meets_target: boolean;
}

export interface LatencyResult {
  /** What the offered load is half of: the jobs/s measured in part 2, or the nominal capacity. */
  basis: "measured" | "nominal" | "flag";
  /** Offered load, jobs/s. */
  rate_jobs_per_s: number;
  /** What the limits would allow with full batches: batch limit × batch cap. */
  nominal_capacity_jobs_per_s: number;
  seconds: number;
  jobs: number;
  completed: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  target_p99_ms: number;
  meets_target: boolean;
}

export interface PipelineReport {
  measured_at: string;
  machine: MachineInfo;
  throughput?: ThroughputResult;
  utilisation?: UtilisationResult;
  latency?: LatencyResult[];
}

const BASIS_NOTE = "batch/predict limit × BATCH_CAP";
const BASIS_LABEL = {
  measured: "½ measured (part 2)",
  nominal: "½ nominal capacity",
  flag: "--latency-rate",
} as const;
const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
const verdict = (ok: boolean) => (ok ? "meets the target" : "BELOW the target");

/** The human-readable summary. */
export function formatPipelineReport(report: PipelineReport): string {
  const { machine } = report;
  const lines = [`${machine.cpu_model}, ${machine.cores} cores, node ${machine.node}`, ""];
  const t = report.throughput;
  if (t) {
    lines.push(
      `1. end-to-end jobs/s (${t.jobs} jobs enqueued in bulk, ${t.merchants} merchants, fast sandbox, limits lifted)`,
      table(
        ["run", "jobs", "seconds", "jobs/s", "worker CPU ms/1k jobs"],
        t.runs.map((r) => [
          r.target,
          String(r.jobs),
          r.seconds.toFixed(2),
          r.jobs_per_s.toFixed(0),
          r.worker_cpu_ms_per_1k_jobs?.toFixed(0) ?? "–",
        ]),
      ),
      `riskq ${t.riskq_jobs_per_s.toFixed(0)} jobs/s vs bare BullMQ no-op ${t.bare_jobs_per_s.toFixed(0)} jobs/s → ` +
        `ratio ${t.ratio.toFixed(3)} (target ≥ ${t.target_ratio}) → ${verdict(t.meets_target)}`,
      `riskq made ${t.calls} scoring calls: ${t.items_per_call.toFixed(1)} items per call`,
      "",
    );
  }
  const u = report.utilisation;
  if (u) {
    lines.push(
      `2. rate utilisation at the sandbox's default limits, realistic latency (${u.workers} workers, ` +
        `BATCH_CAP ${u.batch_cap}, ${u.seconds} s after a ${u.warmup_s} s warm-up)`,
      `batch/predict calls accepted: ${u.batch_calls_per_s.toFixed(2)}/s of ${u.batch_limit_per_s}/s → ` +
        `${pct(u.utilisation)} (target ≥ ${pct(u.target_utilisation, 0)})`,
      `calls answered 429: ${pct(u.throttled_share, 2)} (target ≤ ${pct(u.target_throttled_share)})`,
      `jobs completed: ${u.jobs_per_s.toFixed(1)}/s, ${u.items_per_call.toFixed(1)} items per accepted call → ${verdict(u.meets_target)}`,
      `${u.limiter} at the end of the window`,
      "",
    );
  }
  const latency = report.latency ?? [];
  if (latency.length > 0) {
    const first = latency[0]!;
    lines.push(
      `3. enqueue→result at realistic latency, same workers (nominal capacity: ${BASIS_NOTE} = ` +
        `${first.nominal_capacity_jobs_per_s} jobs/s; target p99 ≤ ${first.target_p99_ms} ms)`,
      table(
        ["offered load", "jobs/s", "seconds", "completed", "p50 ms", "p99 ms", "max ms", "verdict"],
        latency.map((l) => [
          BASIS_LABEL[l.basis],
          l.rate_jobs_per_s.toFixed(1),
          String(l.seconds),
          `${l.completed}/${l.jobs}`,
          l.p50_ms.toFixed(0),
          l.p99_ms.toFixed(0),
          l.max_ms.toFixed(0),
          l.meets_target ? "meets" : "BELOW",
        ]),
      ),
    );
  }
  return lines.join("\n");
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

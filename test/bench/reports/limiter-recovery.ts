import type { MachineInfo } from "../harness/report";

/** Written to bench/limiter-recovery.json. */
export const LIMITER_RECOVERY_REPORT = "limiter-recovery";
/** Back at ≥ RECOVERY_LEVEL of the pre-storm rate within this long of the storm's end. */
export const RECOVERY_TARGET_S = 2;
/** The share of the pre-storm rate that counts as recovered. */
export const RECOVERY_LEVEL = 0.95;
/** 429s outside the storm, as a share of the calls after the warm-up. */
export const THROTTLED_TARGET = 0.001;

export interface LimiterRecoveryReport {
  measured_at: string;
  machine: MachineInfo;
  workers: number;
  calls_in_flight_per_worker: number;
  warmup_s: number;
  /** 429s are counted from this second of the run on. */
  counted_from_s: number;
  storm_s: number;
  storm_batch_qps: number;
  observed_after_s: number;
  /** min(app, batch-predict) rate of the shared limiter just before the storm. */
  pre_storm_rate: number;
  /** Storm end → the limiter's rate at ≥ 95% of pre_storm_rate and staying there; null: never. */
  recovery_s: number | null;
  /** Storm end → the first sample at ≥ 95% (it may have dropped again). */
  first_reached_s: number | null;
  /** 429 share of the calls from counted_from_s on, leaving out the storm and the 2 s after it. */
  throttled_share: number;
  calls_counted: number;
  /** The 429s among them: a few hundred calls, so one 429 is already 0.3–0.5%. */
  throttled_before_storm: number;
  throttled_after_storm: number;
  storm_throttled_share: number;
  /** Accepted batch calls/s over the counted calls' span. */
  accepted_per_s: number;
  final_rate: number;
  target_recovery_s: number;
  target_throttled_share: number;
  meets_target: boolean;
}

export function formatLimiterRecoveryReport(report: LimiterRecoveryReport): string {
  const s = (v: number | null) => (v === null ? "never" : `${v.toFixed(2)} s`);
  return [
    `${report.machine.cpu_model}, ${report.machine.cores} cores, node ${report.machine.node}`,
    `${report.workers} worker processes × ${report.calls_in_flight_per_worker} calls, realistic latency; ` +
      `${report.warmup_s} s warm-up, then batch/predict cut to ${report.storm_batch_qps}/s for ${report.storm_s} s, ` +
      `then ${report.observed_after_s} s at the default limits`,
    `pre-storm rate ${report.pre_storm_rate.toFixed(2)}/s; back at ≥ ${RECOVERY_LEVEL * 100}% of it ${s(report.recovery_s)} ` +
      `after the storm (first reached ${s(report.first_reached_s)}); final rate ${report.final_rate.toFixed(2)}/s`,
    `429 share from ${report.counted_from_s} s on, outside the storm: ${(report.throttled_share * 100).toFixed(2)}% of ${report.calls_counted} calls ` +
      `(${report.throttled_before_storm} before the storm, ${report.throttled_after_storm} after it; ` +
      `${report.accepted_per_s.toFixed(2)} accepted/s); during the storm ${(report.storm_throttled_share * 100).toFixed(0)}%`,
    `targets: recovery ≤ ${report.target_recovery_s} s, 429 share ≤ ${report.target_throttled_share * 100}% → ` +
      (report.meets_target ? "meets them" : "MISSES them"),
  ].join("\n");
}

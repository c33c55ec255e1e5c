import type { RateSample } from "./limiter-rate-sampler";
import type { CallRecord } from "./payment-calls";
import { percentile } from "./score-jobs";

/** Sources that are a decision the payment can act on; `expired` is explicitly none. */
const DECIDING_SOURCES = new Set(["remote", "prefilter", "policy"]);

/** A payment's decision counts when it came back this soon after the request was sent. */
export interface Budget {
  budgetMs: number;
}

/** The figures of one set of requests (a phase, or several). */
export interface CallFigures {
  /** Requests sent. */
  count: number;
  /** Answered 200 or 202: the requests the latency figures are of. */
  answered: number;
  p50_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  /** Answered 200 with a completed job decided by remote, prefilter or policy within the budget. */
  decided_in_budget_share: number;
  /** Answered 200 with Alipay's own score (whenever it came). */
  remote_share: number;
  by_source: Record<string, number>;
  by_degraded_reason: Record<string, number>;
  /** HTTP statuses; "none" for requests that got no answer. */
  by_status: Record<string, number>;
  /** Why the requests without an answer got none (error code or the start of the message). */
  by_error: Record<string, number>;
  /** 429s the API answered (backlog full). */
  api_429: number;
  /** Enqueue→decision reported by the results themselves, where they carry `decided_in_ms`. */
  decided_in_ms_p99: number | null;
  /** How late the callers sent behind their schedule (p99): above a few ms, the bench was the limit. */
  send_lag_p99_ms: number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const share = (n: number, of: number) => (of > 0 ? round(n / of, 5) : 0);
const quantile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? null : round(percentile(sorted, p), 1);

function countBy(records: readonly CallRecord[], key: (r: CallRecord) => string | undefined) {
  const out: Record<string, number> = {};
  for (const r of records) {
    const k = key(r);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Whether a request got a usable decision within the budget (200, completed, deciding source, in time). */
function decidedInBudget(r: CallRecord, budget: Budget): boolean {
  return (
    r.status === 200 &&
    r.jobStatus === "completed" &&
    r.source !== undefined &&
    DECIDING_SOURCES.has(r.source) &&
    r.answeredAt !== undefined &&
    r.answeredAt - r.sentAt <= budget.budgetMs
  );
}

/** Round trips of the requests answered 200 or 202 (a 429 or an error is no wait for a decision). */
function waitTimes(records: readonly CallRecord[]): number[] {
  return records
    .filter((r) => (r.status === 200 || r.status === 202) && r.answeredAt !== undefined)
    .map((r) => r.answeredAt! - r.sentAt)
    .sort((a, b) => a - b);
}

export function callFigures(records: readonly CallRecord[], budget: Budget): CallFigures {
  const waits = waitTimes(records);
  const decided = records
    .map((r) => r.decidedInMs)
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const lags = records.map((r) => r.sentAt - r.scheduledAt).sort((a, b) => a - b);
  const completed = records.filter((r) => r.status === 200 && r.jobStatus === "completed");
  return {
    count: records.length,
    answered: waits.length,
    p50_ms: quantile(waits, 0.5),
    p99_ms: quantile(waits, 0.99),
    max_ms: waits.length > 0 ? round(waits[waits.length - 1]!, 1) : null,
    decided_in_budget_share: share(records.filter((r) => decidedInBudget(r, budget)).length, records.length),
    remote_share: share(completed.filter((r) => r.source === "remote").length, records.length),
    by_source: countBy(completed, (r) => r.source ?? "none"),
    by_degraded_reason: countBy(completed, (r) => r.degradedReason),
    by_status: countBy(records, (r) => (r.status === 0 ? "none" : String(r.status))),
    by_error: countBy(records, (r) => r.error),
    api_429: records.filter((r) => r.status === 429).length,
    decided_in_ms_p99: quantile(decided, 0.99),
    send_lag_p99_ms: lags.length > 0 ? round(percentile(lags, 0.99), 1) : 0,
  };
}

/** How fast the shared limiter's batch bucket came back after the storm. */
export interface Recovery {
  /** Storm end → first sample at ≥ `threshold_share` of the rate just before the storm; null if never. */
  recovery_s: number | null;
  pre_storm_rate: number | null;
  lowest_rate: number | null;
  threshold_share: number;
  /** Seconds after the storm's end until the bench stopped looking (the longest recovery it could see). */
  watched_s: number;
  /** [seconds since the storm began, calls/s], every sample from just before the storm on. */
  samples: Array<[number, number]>;
}

export function limiterRecovery(
  samples: readonly RateSample[],
  storm: { startAt: number; endAt: number },
  thresholdShare = 0.95,
): Recovery {
  const before = samples.findLast((s) => s.at < storm.startAt);
  const after = samples.filter((s) => s.at >= storm.startAt);
  const lastAt = samples.at(-1)?.at ?? storm.endAt;
  const base = {
    threshold_share: thresholdShare,
    watched_s: round(Math.max(0, lastAt - storm.endAt) / 1_000, 1),
    samples: samples
      .filter((s) => s.at >= storm.startAt - 1_000)
      .map((s): [number, number] => [round((s.at - storm.startAt) / 1_000, 2), round(s.rate, 2)]),
    lowest_rate: after.length > 0 ? round(Math.min(...after.map((s) => s.rate)), 2) : null,
  };
  if (!before) return { ...base, recovery_s: null, pre_storm_rate: null };
  const back = samples.find((s) => s.at >= storm.endAt && s.rate >= thresholdShare * before.rate);
  return {
    ...base,
    pre_storm_rate: round(before.rate, 2),
    recovery_s: back ? round((back.at - storm.endAt) / 1_000, 1) : null,
  };
}

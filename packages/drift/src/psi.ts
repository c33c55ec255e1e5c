/**
 * Population stability index of the score distribution against a reference window — the slow drift
 * a flatline check does not see (the model still spreads its scores, just differently than before).
 */
import { type ScoreWindow, windowSize } from "./score-window";
import { binOf } from "./window-summary";

/** Share given to a bin that is empty in either window, so its log term stays finite. */
export const PSI_EPSILON = 1e-4;

/** The usual reading of PSI: under 0.1 stable, 0.1–0.25 worth a look, above 0.25 shifted. */
export const PSI_LEVELS = { warn: 0.1, alert: 0.25 } as const;

/** Shares per equal-width bin of [0, 1], empty bins raised to PSI_EPSILON. */
function binShares(window: ScoreWindow, bins: number): number[] {
  const n = windowSize(window);
  if (n === 0) throw new RangeError("PSI needs two non-empty windows");
  const counts = new Array<number>(bins).fill(0);
  for (const [key, count] of window) counts[binOf(key, bins)]! += count;
  return counts.map((count) => Math.max(count / n, PSI_EPSILON));
}

/**
 * Σ (current − reference) · ln(current / reference) over `bins` equal-width bins of [0, 1].
 * 0 for identical distributions; grows without bound as they separate. Throws on an empty window.
 */
export function psi(reference: ScoreWindow, current: ScoreWindow, bins = 10): number {
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be an integer ≥ 2, got ${bins}`);
  const expected = binShares(reference, bins);
  const actual = binShares(current, bins);
  let total = 0;
  for (let i = 0; i < bins; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    total += (a - e) * Math.log(a / e);
  }
  return total;
}

export type DriftLevel = "ok" | "warn" | "alert";

export interface DriftReport {
  psi: number;
  level: DriftLevel;
}

export interface DriftReportOptions {
  bins?: number;
  /** PSI above which the level is "warn" (default 0.1). */
  warn?: number;
  /** PSI above which the level is "alert" (default 0.25). */
  alert?: number;
}

/** PSI of `current` against `reference`, with its level. */
export function driftReport(
  reference: ScoreWindow,
  current: ScoreWindow,
  options: DriftReportOptions = {},
): DriftReport {
  const value = psi(reference, current, options.bins ?? 10);
  const alert = options.alert ?? PSI_LEVELS.alert;
  const warn = options.warn ?? PSI_LEVELS.warn;
  return { psi: value, level: value > alert ? "alert" : value > warn ? "warn" : "ok" };
}

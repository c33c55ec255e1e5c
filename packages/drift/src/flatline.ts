/**
 * The flatline detector: a model that stops discriminating still answers 200, just with scores that
 * no longer spread. Four independent views of "collapsed spread" are measured and at least two must
 * agree, over a minimum sample, in two windows in a row — one signal alone or one odd window is too
 * easy to trip on quiet traffic (a burst of one merchant's identical payments, a night hour).
 */
import type { WindowSummary } from "./window-summary";

/** The four signals, by name. */
export type FlatlineSignal = "std_ratio" | "top_value_share" | "distinct_ratio" | "entropy";

/** Where each signal fires (strictly beyond the bound). */
export const FLATLINE_THRESHOLDS = {
  /** std / reference std below this: the spread collapsed to a tenth of normal. */
  stdRatio: 0.1,
  /** One rounded value holds more than this share of the window. */
  topValueShare: 0.8,
  /** Fewer than 1 distinct rounded value per 100 scores. */
  distinctRatio: 0.01,
  /** Normalised 20-bin entropy below this: nearly everything falls in one or two bins. */
  entropy: 0.2,
} as const;

/** Defaults of the verdict's sample rules. */
export const FLATLINE_DEFAULTS = { minN: 200, minSignals: 2 } as const;

/** What the signals measured on one window, and which fired. */
export interface FlatlineSignals {
  /** The fired signals, in the order std_ratio, top_value_share, distinct_ratio, entropy. */
  fired: FlatlineSignal[];
  /** std / reference std; undefined without a usable reference (then std_ratio never fires). */
  stdRatio: number | undefined;
  topValueShare: number;
  distinctRatio: number;
  entropy: number;
}

/**
 * Which of the four signals fire on `summary`. The std ratio needs a reference window of the same
 * (model, task) with a spread; without one (or with a reference std of 0) that signal is not counted,
 * so a verdict then needs two of the other three.
 */
export function flatlineSignals(
  summary: WindowSummary,
  reference: WindowSummary | undefined,
): FlatlineSignals {
  const stdRatio = reference !== undefined && reference.std > 0 ? summary.std / reference.std : undefined;
  const fired: FlatlineSignal[] = [];
  if (stdRatio !== undefined && stdRatio < FLATLINE_THRESHOLDS.stdRatio) fired.push("std_ratio");
  if (summary.topValueShare > FLATLINE_THRESHOLDS.topValueShare) fired.push("top_value_share");
  if (summary.distinctRatio < FLATLINE_THRESHOLDS.distinctRatio) fired.push("distinct_ratio");
  if (summary.entropy20 < FLATLINE_THRESHOLDS.entropy) fired.push("entropy");
  return {
    fired,
    stdRatio,
    topValueShare: summary.topValueShare,
    distinctRatio: summary.distinctRatio,
    entropy: summary.entropy20,
  };
}

export interface FlatlineVerdictOptions {
  /** Scores a window needs before it counts (default 200). */
  minN?: number | undefined;
  /** Signals that must fire in each window (default 2). */
  minSignals?: number;
}

/** The detector's answer for one (model_version, task). */
export interface FlatlineVerdict {
  /** True only when both windows have the sample and each fires at least `minSignals` signals. */
  flatline: boolean;
  /** False when either window is missing or below `minN`: no verdict either way yet. */
  decided: boolean;
  /** Signals of the current window. */
  signals: FlatlineSignals;
  /** Signals of the previous window (undefined when there was none). */
  previousSignals: FlatlineSignals | undefined;
  /** One line for logs and alerts. */
  reason: string;
}

/**
 * Flatline verdict over the current and the previous window. A flatline must show in both, each
 * with at least `minN` scores, before it is reported: it is what stops a model, so one odd window
 * must not. The canary batch (`isSpread`) is the caller's confirmation on top of this.
 */
export function flatlineVerdict(
  current: WindowSummary,
  previous: WindowSummary | undefined,
  reference: WindowSummary | undefined,
  options: FlatlineVerdictOptions = {},
): FlatlineVerdict {
  const minN = options.minN ?? FLATLINE_DEFAULTS.minN;
  const minSignals = options.minSignals ?? FLATLINE_DEFAULTS.minSignals;
  const signals = flatlineSignals(current, reference);
  const previousSignals = previous === undefined ? undefined : flatlineSignals(previous, reference);
  const verdict = (flatline: boolean, decided: boolean, reason: string): FlatlineVerdict => ({
    flatline,
    decided,
    signals,
    previousSignals,
    reason,
  });
  const list = (s: FlatlineSignals) => (s.fired.length === 0 ? "none" : s.fired.join(", "));

  if (current.n < minN) {
    return verdict(false, false, `current window has ${current.n} scores, fewer than ${minN}: no verdict`);
  }
  if (signals.fired.length < minSignals) {
    return verdict(
      false,
      true,
      `healthy: ${signals.fired.length} of ${minSignals} signals (${list(signals)})`,
    );
  }
  if (previous === undefined || previousSignals === undefined) {
    return verdict(false, false, `current window flat (${list(signals)}) but no previous window yet`);
  }
  if (previous.n < minN) {
    return verdict(
      false,
      false,
      `current window flat (${list(signals)}) but the previous has ${previous.n} scores, fewer than ${minN}`,
    );
  }
  if (previousSignals.fired.length < minSignals) {
    return verdict(
      false,
      true,
      `current window flat (${list(signals)}), previous was not (${list(previousSignals)}): not two in a row`,
    );
  }
  return verdict(
    true,
    true,
    `flatline in two windows in a row (${current.n} and ${previous.n} scores): ${list(signals)}`,
  );
}

/**
 * What the call-rate limiter's adaptive rule works on: its tuning (with defaults) and the state one
 * bucket remembers between calls, stored field by field in Redis (ADAPTIVE_FIELDS). The rule itself
 * is in adaptive-rate.ts and learned-rate.ts.
 */

/** Tuning of the rate update; every field has a default in `DEFAULT_ADAPTIVE_PARAMS`. */
export interface AdaptiveRateParams {
  /** Calls/s a bucket starts at before anything is known. */
  readonly initialRate: number;
  readonly minRate: number;
  readonly maxRate: number;
  /**
   * A continuous overload (429s without an upward step between) lasting at least this long
   * measures the limit: with the remote bucket empty, what it accepted is its refill rate.
   */
  readonly measureMs: number;
  /** Multiplier applied on a 429 (multiplicative decrease). */
  readonly decrease: number;
  /** 429s within this long of a cut belong to the same overload: at most one cut per window. */
  readonly cutWindowMs: number;
  /** Demand-limited, clean time between two upward steps while climbing. */
  readonly stepMs: number;
  /** Multiplier per step while no 429 has ever been seen (the start-up climb). */
  readonly growth: number;
  /** Share of the remaining gap to the hover point closed per step once a ceiling is known. */
  readonly approach: number;
  /** Smallest climbing step, as a share of the hover point (so the climb does end). */
  readonly minStep: number;
  /** The hover point as a share of the ceiling. */
  readonly hover: number;
  /** How much the first probe raises the rate, as a share of it; each clean probe doubles it. */
  readonly probeStep: number;
  /** The largest probe step, as a share of the rate. */
  readonly maxProbeStep: number;
  /** Probe interval while the rate is far below `peak` (and the floor of a shortened interval). */
  readonly fastProbeMs: number;
  /** "Far below the peak": under this share of it. */
  readonly farBelowPeak: number;
  /** The first probe step far below the peak (doubled per clean probe like `probeStep`). */
  readonly farProbeStep: number;
  /** A failed probe lowers the peak to this share of it (never below the probe's rate). */
  readonly peakDecay: number;
  /**
   * A rate that drew no 429 for this long before an overload becomes the peak. The remote's burst
   * hides a small overload for burst / excess seconds (50 s for 2% over a 10/s bucket of burst 10),
   * so only a rate held well beyond that proves anything; a climb's short steps prove nothing.
   */
  readonly peakProofMs: number;
  /**
   * A rate settled at the hover point (under a known ceiling) that drew no 429 for this long before
   * an overload is the rate the limiter had learned, the one it returns to after the overload.
   * Short, because the hover point sits below where 429s began: the remote's burst hides nothing.
   */
  readonly learnedProofMs: number;
  /**
   * "Far below the learned rate": under this share of it. Lower than one cut (`decrease`), so a
   * single 429 at the learned rate (a small excess) is climbed back from gently; only an overload
   * that cut and cut again (a storm) is returned from.
   */
  readonly returnBelow: number;
  /** Time without any 429 far below the learned rate before the rate goes straight back to it. */
  readonly returnAfterMs: number;
  /**
   * Failed returns double that wait (from the second on), up to this; returns failing at this interval wear the
   * learned rate down (`peakDecay`), so a storm of seconds leaves it and a limit lowered for good
   * does not keep drawing 429s.
   */
  readonly returnMaxMs: number;
  /**
   * Clean time at the hover point before the first probe: long, because a probe that overshoots
   * by a little only shows it once the remote's burst is spent, and each such probe costs 429s.
   */
  readonly probeBaseMs: number;
  /** The probe interval doubles per failed probe up to this. */
  readonly probeMaxMs: number;
  /** This many clean probes in a row mean the limit rose: probing is fast again. */
  readonly cleanProbesToReset: number;
}

export const DEFAULT_ADAPTIVE_PARAMS: AdaptiveRateParams = {
  initialRate: 5,
  minRate: 0.5,
  maxRate: 1000,
  measureMs: 500,
  decrease: 0.7,
  cutWindowMs: 250,
  stepMs: 250,
  growth: 1.25,
  approach: 0.5,
  minStep: 0.01,
  hover: 0.95,
  probeStep: 0.02,
  maxProbeStep: 0.5,
  fastProbeMs: 1_000,
  farBelowPeak: 0.8,
  farProbeStep: 0.25,
  peakDecay: 0.5,
  peakProofMs: 120_000,
  learnedProofMs: 5_000,
  returnBelow: 0.6,
  returnAfterMs: 500,
  returnMaxMs: 8_000,
  probeBaseMs: 120_000,
  probeMaxMs: 240_000,
  cleanProbesToReset: 3,
};

/** What one bucket remembers between calls; times are Redis milliseconds. */
export interface AdaptiveState {
  /** Calls/s currently allowed. */
  readonly rate: number;
  /** The rate at which 429s began (0: never seen one). */
  readonly ceiling: number;
  /** When the rate was last cut (0: never). */
  readonly lastCutAt: number;
  /** When a call sent at the current rate last drew a 429, cut or not (0: never). */
  readonly lastThrottleAt: number;
  /** When the rate last moved, up or down: clean time is counted from here. */
  readonly lastStepAt: number;
  /** Start of the running overload (0: none): the first cut after an upward step. */
  readonly overloadSince: number;
  /** Calls granted since `overloadSince`, and how those answered (counted atomically in Redis). */
  readonly sentSince: number;
  readonly acceptedSince: number;
  readonly refusedSince: number;
  /** The latest grant time among those answered calls. */
  readonly answeredUntil: number;
  /** When a caller last had to wait for this bucket, i.e. demand reached the rate. */
  readonly busyAt: number;
  /** When the running probe started (0: not probing). */
  readonly probeAt: number;
  /** Probes that ended in a 429 (stretches the probe interval). */
  readonly failedProbes: number;
  /** Probes in a row that stayed clean: each doubles the next step and halves the wait for it. */
  readonly cleanProbes: number;
  /** The rate the running probe started from (it held clean for a whole interval). */
  readonly probeFrom: number;
  /** The highest rate held clean for a whole step, lowered by failed probes (0: none yet). */
  readonly peak: number;
  /** The rate settled at before the last overload (0: none), see `learnedProofMs`. */
  readonly learned: number;
  /** When any call last drew a 429, whatever rate it was sent at (0: never). */
  readonly lastRefusalAt: number;
  /** Returns to the learned rate that drew a 429, in a row (each doubles the wait for the next). */
  readonly failedReturns: number;
}

/** A bucket nobody has used yet. */
export function initialAdaptiveState(params: AdaptiveRateParams): AdaptiveState {
  return {
    rate: clamp(params.initialRate, params),
    ceiling: 0,
    lastCutAt: 0,
    lastThrottleAt: 0,
    lastStepAt: 0,
    overloadSince: 0,
    sentSince: 0,
    acceptedSince: 0,
    refusedSince: 0,
    answeredUntil: 0,
    busyAt: 0,
    probeAt: 0,
    failedProbes: 0,
    cleanProbes: 0,
    probeFrom: 0,
    peak: 0,
    learned: 0,
    lastRefusalAt: 0,
    failedReturns: 0,
  };
}

/** An upward step ends the overload episode. */
export const climbed = {
  overloadSince: 0,
  sentSince: 0,
  acceptedSince: 0,
  refusedSince: 0,
  answeredUntil: 0,
} as const;

export function clamp(rate: number, params: AdaptiveRateParams): number {
  return Math.min(params.maxRate, Math.max(params.minRate, rate));
}

/**
 * The rate-update rule of the call-rate limiter, as pure functions of (state, now). No Redis here:
 * the limiter reads the state and Redis `TIME` in one script, runs these functions, and writes the
 * result back with a compare-and-set, so every process applies exactly this rule on one clock.
 *
 * Why not a plain AIMD sawtooth: the remote's token bucket hides overload for `burst / excess`
 * seconds, so a sawtooth either spends much of its time far below the limit or keeps drawing 429s.
 * Instead the rule remembers where 429s began (`ceiling`), climbs back quickly but ever more
 * gently towards a point just under it, hovers there, and tries one small step up only after a long
 * clean stretch — less and less often while those steps keep failing.
 *
 * A ceiling is not a prison: limits change (the gateway's, or another tenant's storm), so while probes
 * keep succeeding each one doubles the next step (like TCP slow start after idle) and the wait before
 * it halves.
 *
 * A storm (the remote's limit cut for a few seconds, then restored) leaves the rate far below the
 * one held before it (`peak`: the hover point where the storm's first cut came). Far below the peak
 * the rule does not climb: every `farProbeMs` of clean time it probes straight back to the peak.
 * Each step needs the answer to a call granted after it (about half a second at the remote's
 * latency), and a recovery is judged in seconds, so one step it is. A probe refused at once
 * (`stormSignalMs`) met the storm: the rate goes back to where the probe started (no ratchet down
 * to a grant every few seconds, see `stormFloor`), and neither the probe interval nor the peak
 * changes — the storm is still on, the old rate is not wrong. Only after `stormMemoryMs` without
 * holding a rate near the peak do such refusals wear the peak down (a limit lowered for good). A
 * probe refused late met no storm: the remote's burst ran dry, so the peak was a little high and
 * the hover point under it becomes the peak. "Far" is below `farBelowPeak` of the peak, lower than
 * one cut (`decrease`), so a single cut at the hover point is climbed back carefully, as before.
 * Probes near the peak keep the slow, careful rules above.
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
  /** The shortest probe interval near the peak (reached after many clean probes in a row). */
  readonly fastProbeMs: number;
  /**
   * "Far below the peak": under this share of it. Lower than one cut (`decrease`): a single cut at
   * the hover point (the remote's burst ran dry) is climbed back carefully; only a storm's repeated
   * cuts reach it.
   */
  readonly farBelowPeak: number;
  /** Clean time between two probes far below the peak, however many of them failed. */
  readonly farProbeMs: number;
  /** A failed probe near the peak lowers the peak to this share of it (never below the probe's rate). */
  readonly peakDecay: number;
  /**
   * The rate is cut no lower than this share of the peak: in a storm a grant comes at least every
   * 1 / (this × peak) seconds, and the first answer after the storm can end it. (A limit lowered
   * for good below it wears the peak, and so the floor, down after `stormMemoryMs`.)
   */
  readonly stormFloor: number;
  /** A far probe refused within this long of its step met a storm (see `afterThrottle`). */
  readonly stormSignalMs: number;
  /**
   * Failed probes far below the peak lower it only once this long has passed since a rate near it
   * was last held: a storm is that short; a limit lowered for longer is the new normal.
   */
  readonly stormMemoryMs: number;
  /**
   * A rate that drew no 429 for this long before a cut becomes the peak (so does the hover point,
   * without proof: it was chosen under where 429s began). The remote's burst hides an overload for
   * burst / excess seconds, so a rate held this long is at most burst / this over the limit (10%
   * for a 10/s bucket of burst 10): coming back to it after a storm then draws its 429s only after
   * several seconds, a "late" refusal that lowers the peak to the hover point under it. A climb's
   * steps, a few hundred ms each, never qualify.
   */
  readonly peakProofMs: number;
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
  farBelowPeak: 0.6,
  farProbeMs: 400,
  peakDecay: 0.5,
  stormSignalMs: 2_000,
  stormFloor: 0.1,
  stormMemoryMs: 20_000,
  peakProofMs: 10_000,
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
  /** The rate to come back to after a storm (0: none yet); see `peakProofMs` and `peakDecay`. */
  readonly peak: number;
  /** When a rate near the peak was last held (a cut or a probe from there); see `stormMemoryMs`. */
  readonly nearPeakAt: number;
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
    nearPeakAt: 0,
  };
}

/**
 * A call granted at `grantedAt` was refused with 429. Cuts the rate once per overload: a 429 for a
 * call granted before the last cut was sent at the old rate and changes nothing; one within
 * `cutWindowMs` of the cut only holds the climb back.
 */
export function afterThrottle(
  state: AdaptiveState,
  now: number,
  params: AdaptiveRateParams,
  grantedAt: number,
): AdaptiveState {
  if (grantedAt <= state.lastCutAt) return state;
  if (state.lastCutAt > 0 && now - state.lastCutAt < params.cutWindowMs) {
    return { ...state, lastThrottleAt: now };
  }
  const cut = cutKind(state, now, params);
  const stormRefusal = cut === "storm-refusal";
  // A late far probe is no probe failure: the remote took its rate for a while, so it is where
  // 429s began, like a cut from the hover point.
  const probing = stormRefusal || cut === "probe-failed";
  // No upward step since the last cut: the remote's bucket has stayed empty since then, so what it
  // accepted meanwhile is its real rate — a far better ceiling than the rates we were cutting
  // through (the bucket's burst hid the overload until well above the limit). Measured as our send
  // rate × the share of answered calls that were accepted, which in-flight calls do not skew.
  const continuing = state.overloadSince > 0 && state.lastStepAt === state.lastCutAt;
  const overloadFor = continuing ? now - state.overloadSince : 0;
  const answered = state.acceptedSince + state.refusedSince;
  // Two estimates, both low when calls take long to answer, for different reasons: our send rate
  // × the accepted share (the answered calls are the early ones, sent while the rate was higher),
  // and the accepted calls per second of the span their grants cover (late slow answers missing).
  // The larger is the better one.
  const answeredSpan = state.answeredUntil - state.overloadSince;
  // Only answers covering `measureMs` of grants measure anything: with slow answers, the first few
  // are a handful of calls from the overload's first instants.
  // Both also assume we sent as fast as allowed: when we sent well below the rate (demand-limited,
  // the 429s came from a burst of grants), what was accepted is our demand, not the remote's limit.
  const sentRate = overloadFor > 0 ? (state.sentSince * 1000) / overloadFor : 0;
  const sentAtRate = sentRate >= DEMAND_SHARE_TO_MEASURE * state.rate;
  const measured =
    sentAtRate &&
    overloadFor >= params.measureMs &&
    answeredSpan >= params.measureMs &&
    answered >= MIN_ANSWERS_TO_MEASURE
      ? Math.max(
          ((state.sentSince * 1000) / overloadFor) * (state.acceptedSince / answered),
          (state.acceptedSince * 1000) / answeredSpan,
        )
      : Number.POSITIVE_INFINITY;
  // A failed probe: the rate it started from held clean for a whole interval, so the hover point
  // goes back there rather than to just under the (possibly much larger) probe rate.
  const probedFrom =
    probing && state.probeFrom > 0 ? state.probeFrom / params.hover : Number.POSITIVE_INFINITY;
  const ceiling = Math.max(params.minRate, Math.min(state.rate, measured, probedFrom));
  const peak = peakAfterCut(state, now, params, cut);
  return {
    ...state,
    lastThrottleAt: now,
    ceiling,
    // A far probe into a storm goes back to where it started, which held clean: cutting below it
    // each time would ratchet the rate down to the floor, a grant every few seconds, and the
    // recovery would wait that long for each answer.
    // Nor below `stormFloor` of the peak: the answer that ends the recovery has to wait for a grant.
    rate: clamp(
      Math.max(stormRefusal ? state.probeFrom : ceiling * params.decrease, params.stormFloor * peak),
      params,
    ),
    overloadSince: continuing ? state.overloadSince : now,
    sentSince: continuing ? state.sentSince : 0,
    acceptedSince: continuing ? state.acceptedSince : 0,
    refusedSince: continuing ? state.refusedSince : 0,
    answeredUntil: continuing ? state.answeredUntil : 0,
    lastCutAt: now,
    lastStepAt: now,
    probeAt: 0,
    // A far probe failing says the storm is on, not that probing near the peak is unwise.
    failedProbes:
      cut === "probe-failed" ? Math.min(state.failedProbes + 1, maxDoublings(params)) : state.failedProbes,
    cleanProbes: 0,
    probeFrom: 0,
    peak,
    // Cut while near the peak: the storm memory counts from here.
    nearPeakAt: (probing ? !stormRefusal : !farBelowPeak(state, params)) ? now : state.nearPeakAt,
  };
}

/**
 * What a cut says about the peak. "storm-refusal": a probe far below the peak refused within
 * `stormSignalMs` — the storm is still on. "late-far": a far probe the remote took for a while
 * before refusing — no storm, the remote's burst ran dry: the rate is where 429s begin.
 * "probe-failed": a probe near the peak. "cut": no probe running.
 */
type CutKind = "storm-refusal" | "late-far" | "probe-failed" | "cut";

function cutKind(state: AdaptiveState, now: number, params: AdaptiveRateParams): CutKind {
  if (state.probeAt === 0) return "cut";
  if (state.probeFrom >= params.farBelowPeak * state.peak) return "probe-failed";
  return now - state.probeAt < params.stormSignalMs ? "storm-refusal" : "late-far";
}

/**
 * The rate to come back to after this cut. A storm's refusals leave it alone for `stormMemoryMs`
 * (then wear it down: a limit lowered for good); a failed probe near it refutes part of it; a rate
 * the remote took for a while and then refused is a little high (the hover point under it is the
 * new peak); a cut at the hover point near the peak, or of a rate held clean for long, is the limit
 * moving: that rate is the one to come back to.
 */
function peakAfterCut(state: AdaptiveState, now: number, params: AdaptiveRateParams, cut: CutKind): number {
  const decayed = Math.max(state.probeFrom, state.peak * params.peakDecay);
  switch (cut) {
    case "storm-refusal":
      return now - state.nearPeakAt < params.stormMemoryMs ? state.peak : decayed;
    case "probe-failed":
      return decayed;
    case "late-far":
      return params.hover * state.rate;
    case "cut": {
      const atHover = state.ceiling > 0 && state.rate >= params.hover * state.ceiling * (1 - 1e-9);
      if (atHover && !farBelowPeak(state, params)) return state.rate;
      const heldClean = now - Math.max(state.lastStepAt, state.lastThrottleAt) >= params.peakProofMs;
      return heldClean ? Math.max(state.peak, state.rate) : state.peak;
    }
  }
}

/**
 * A call granted at `grantedAt` went through. Raises the rate when the bucket has been clean and
 * demand-limited long enough: fast while no ceiling is known or far below it, then a probe step
 * at long intervals.
 */
export function afterSuccess(
  state: AdaptiveState,
  now: number,
  params: AdaptiveRateParams,
  grantedAt: number,
): AdaptiveState {
  // Only a call sent at the current rate says anything about it; and without callers waiting,
  // a clean stretch proves nothing about a higher rate.
  if (grantedAt <= state.lastStepAt || state.busyAt <= state.lastStepAt) return state;
  const cleanFor = now - Math.max(state.lastStepAt, state.lastThrottleAt);
  if (state.ceiling === 0) {
    if (cleanFor < params.stepMs) return state;
    return {
      ...state,
      ...climbed,
      rate: clamp(state.rate * params.growth, params),
      lastStepAt: now,
    };
  }
  const hoverRate = params.hover * state.ceiling;
  // Far below the peak the ceiling is probably a storm's: no climb to its hover point first (each
  // step costs an answer's wait), a far probe at once.
  const far = farBelowPeak(state, params);
  if (state.rate < hoverRate && !far) {
    if (cleanFor < params.stepMs) return state;
    // Halve the gap each step: quick from far below, gentle where the limit probably is, so that
    // when the limit is lower than remembered the 429 comes at a rate just above it.
    const gap = hoverRate - state.rate;
    const step = Math.max(gap * params.approach, params.minStep * hoverRate);
    return {
      ...state,
      ...climbed,
      rate: clamp(Math.min(hoverRate, state.rate + step), params),
      lastStepAt: now,
    };
  }
  if (cleanFor < probeIntervalMs(state, params)) return state;
  // The current rate held clean for a whole interval: it becomes the hover point, and a step above
  // it is tried next — twice as large as the last one if that one held too. Far probes are a
  // storm's recovery and say nothing about how boldly to probe near the peak: they do not count.
  const lastProbeNear = state.probeAt > 0 && state.probeFrom >= params.farBelowPeak * state.peak;
  const cleanProbes = lastProbeNear ? Math.min(state.cleanProbes + 1, MAX_STREAK) : state.cleanProbes;
  const limitRose = cleanProbes >= params.cleanProbesToReset;
  const step = Math.min(params.maxProbeStep, params.probeStep * 2 ** cleanProbes);
  const small = state.rate * (1 + params.probeStep);
  // Far below the peak: straight back to it (one answer's wait, not one per step). Below the peak a
  // step stops at it: it held clean before, what lies above it is unknown.
  const target = far
    ? state.peak
    : state.rate < state.peak
      ? Math.max(small, Math.min(state.rate * (1 + step), state.peak))
      : state.rate * (1 + step);
  return {
    ...state,
    ...climbed,
    ceiling: Math.max(state.ceiling, state.rate / params.hover),
    rate: clamp(target, params),
    lastStepAt: now,
    probeAt: now,
    probeFrom: state.rate,
    peak: Math.max(state.peak, state.rate),
    failedProbes: limitRose ? 0 : state.failedProbes,
    cleanProbes,
    nearPeakAt: far ? state.nearPeakAt : now,
  };
}

/** An upward step ends the overload episode. */
const climbed = {
  overloadSince: 0,
  sentSince: 0,
  acceptedSince: 0,
  refusedSince: 0,
  answeredUntil: 0,
} as const;

/** Clean probes in a row counted at most (the step and interval stop changing long before). */
const MAX_STREAK = 16;

/** An overload measures the limit only if we sent at least this share of the allowed rate meanwhile. */
const DEMAND_SHARE_TO_MEASURE = 0.8;

/** Fewer answers than this measure nothing (one call more or less would swing the estimate). */
const MIN_ANSWERS_TO_MEASURE = 5;

/**
 * Clean time required at the hover point before the next probe: `probeBaseMs`, doubled per failed
 * probe and halved per clean one in a row, never under `fastProbeMs`; and only `farProbeMs` while
 * the rate is far below the peak (a storm's failed probes do not stretch it: the storm may end any
 * moment, and the recovery is judged in seconds).
 */
export function probeIntervalMs(state: AdaptiveState, params: AdaptiveRateParams): number {
  if (farBelowPeak(state, params)) return params.farProbeMs;
  const interval = (params.probeBaseMs * 2 ** state.failedProbes) / 2 ** state.cleanProbes;
  return Math.min(params.probeMaxMs, Math.max(params.fastProbeMs, interval));
}

function farBelowPeak(state: AdaptiveState, params: AdaptiveRateParams): boolean {
  return state.rate < params.farBelowPeak * state.peak;
}

function maxDoublings(params: AdaptiveRateParams): number {
  return Math.max(0, Math.ceil(Math.log2(params.probeMaxMs / params.probeBaseMs)));
}

function clamp(rate: number, params: AdaptiveRateParams): number {
  return Math.min(params.maxRate, Math.max(params.minRate, rate));
}

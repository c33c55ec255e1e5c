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
 * it halves; and far below the highest rate ever held clean (`peak`) probes come every
 * `fastProbeMs`, so the rate regains its old level within seconds once a storm is over.
 *
 * And a storm does not erase what was learned: the rate the limiter had settled at before it
 * (`learned`) is remembered, and far below it half a second without any 429 is enough to go straight
 * back there — the remote's 429s stop as soon as its limit is restored, so the rate is back within
 * about a second of the storm's last refusals rather than climbing for many seconds.
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
  const refused = { ...state, lastRefusalAt: Math.max(state.lastRefusalAt, now) };
  if (grantedAt <= state.lastCutAt) return refused;
  if (state.lastCutAt > 0 && now - state.lastCutAt < params.cutWindowMs) {
    return { ...refused, lastThrottleAt: now };
  }
  const cleanFor = now - Math.max(state.lastStepAt, state.lastThrottleAt);
  // A return to the learned rate refused at once: the overload goes on. One that held clean for
  // `learnedProofMs` first: the remote's burst hid a small excess, the learned rate is a bit high.
  const returnHeld = isReturn(state, params) && cleanFor >= params.learnedProofMs;
  const returning = isReturn(state, params) && !returnHeld;
  const probing = state.probeAt > 0 && !isReturn(state, params);
  const heldClean = cleanFor >= params.peakProofMs;
  const settled =
    !returning &&
    (state.ceiling === 0 || state.rate <= params.hover * state.ceiling * (1 + 1e-9)) &&
    cleanFor >= params.learnedProofMs;
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
  // A failed return likewise goes back to where it came from.
  const probedFrom =
    (probing || returning) && state.probeFrom > 0 ? state.probeFrom / params.hover : Number.POSITIVE_INFINITY;
  const ceiling = Math.max(params.minRate, Math.min(state.rate, measured, probedFrom));
  const worn = returning && state.failedReturns >= returnDoublings(params);
  return {
    ...refused,
    learned: returnHeld
      ? state.learned * params.hover
      : settled
        ? state.rate
        : worn
          ? state.learned * params.peakDecay
          : state.learned,
    failedReturns: returning
      ? Math.min(state.failedReturns + 1, returnDoublings(params))
      : state.failedReturns,
    lastThrottleAt: now,
    ceiling,
    rate: clamp(ceiling * params.decrease, params),
    overloadSince: continuing ? state.overloadSince : now,
    sentSince: continuing ? state.sentSince : 0,
    acceptedSince: continuing ? state.acceptedSince : 0,
    refusedSince: continuing ? state.refusedSince : 0,
    answeredUntil: continuing ? state.answeredUntil : 0,
    lastCutAt: now,
    lastStepAt: now,
    probeAt: 0,
    failedProbes: probing ? Math.min(state.failedProbes + 1, maxDoublings(params)) : state.failedProbes,
    cleanProbes: 0,
    probeFrom: 0,
    // A failed probe refutes part of the remembered peak (a limit lowered for good is forgotten
    // after a few); a storm's cuts outside probes do not, so the rate comes back after it.
    // A measured ceiling is an estimate, low when answers are slow: the previous ceiling becomes a
    // soft peak, so fast probes check the estimate rather than hovering under it for minutes.
    peak: probing
      ? Math.max(state.probeFrom, state.peak * params.peakDecay)
      : heldClean
        ? Math.max(state.peak, state.rate)
        : Number.isFinite(measured)
          ? Math.max(state.peak, state.ceiling)
          : state.peak,
  };
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
  // Far below the learned rate there is no climbing (each step would restart the wait for a
  // return); any answer may tell that the overload is over, as calls are few down here.
  if (farBelowLearned(state, params) && state.busyAt > state.lastStepAt)
    return whileWaiting(state, now, params);
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
  if (state.rate < hoverRate) {
    if (cleanFor < params.stepMs) return state;
    // Halve the gap each step: quick from far below, gentle where the limit probably is, so that
    // when the limit is lower than remembered the 429 comes at a rate just above it. Far below the
    // peak the ceiling is probably a storm's: straight to the hover point, the probes take over.
    const gap = hoverRate - state.rate;
    const step = farBelowPeak(state, params)
      ? gap
      : Math.max(gap * params.approach, params.minStep * hoverRate);
    return {
      ...state,
      ...climbed,
      rate: clamp(Math.min(hoverRate, state.rate + step), params),
      lastStepAt: now,
    };
  }
  if (cleanFor < probeIntervalMs(state, params)) return state;
  // The current rate held clean for a whole interval: it becomes the hover point, and a step above
  // it is tried next — twice as large as the last one if that one held too.
  const cleanProbes = state.probeAt > 0 ? Math.min(state.cleanProbes + 1, MAX_STREAK) : state.cleanProbes;
  const limitRose = cleanProbes >= params.cleanProbesToReset;
  const firstStep = farBelowPeak(state, params) ? params.farProbeStep : params.probeStep;
  const step = Math.min(params.maxProbeStep, firstStep * 2 ** cleanProbes);
  const small = state.rate * (1 + params.probeStep);
  // Below the peak a step stops at it: it held clean before, what lies above it is unknown.
  const target =
    state.rate < state.peak
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
    // Held clean for a whole interval: any return to the learned rate held too.
    failedReturns: 0,
    cleanProbes,
  };
}

/**
 * A caller is waiting for a permit (the limiter asks now and then, and at every answer far below the
 * learned rate). Far below the rate settled at before the overload, once no call at all has drawn
 * a 429 for `returnWaitMs`, whatever cut the rate is over: straight back to that rate, as a probe.
 * The ceiling comes back with it, so the hover point and the probes above it are the old ones.
 */
export function whileWaiting(state: AdaptiveState, now: number, params: AdaptiveRateParams): AdaptiveState {
  if (!farBelowLearned(state, params)) return state;
  if (now - Math.max(state.lastStepAt, state.lastRefusalAt) < returnWaitMs(state, params)) return state;
  return {
    ...state,
    ...climbed,
    ceiling: Math.max(state.ceiling, state.learned / params.hover),
    rate: clamp(state.learned, params),
    lastStepAt: now,
    probeAt: now,
    probeFrom: state.rate,
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
 * probe and halved per clean one in a row, never under `fastProbeMs`; and only `fastProbeMs`
 * (doubled per failed probe) while the rate is far below the peak it once held.
 */
export function probeIntervalMs(state: AdaptiveState, params: AdaptiveRateParams): number {
  const failed = 2 ** state.failedProbes;
  if (farBelowPeak(state, params)) {
    return Math.min(params.probeBaseMs, params.fastProbeMs * failed);
  }
  const interval = (params.probeBaseMs * failed) / 2 ** state.cleanProbes;
  return Math.min(params.probeMaxMs, Math.max(params.fastProbeMs, interval));
}

/**
 * Clean time needed far below the learned rate before returning to it: doubled from the second
 * failed return on, as one failure is common while a storm's refusals are still sparse.
 */
export function returnWaitMs(state: AdaptiveState, params: AdaptiveRateParams): number {
  return Math.min(params.returnMaxMs, params.returnAfterMs * 2 ** Math.max(0, state.failedReturns - 1));
}

function farBelowLearned(state: AdaptiveState, params: AdaptiveRateParams): boolean {
  return state.rate < params.returnBelow * state.learned;
}

/** The running probe is a return to the learned rate from far below it. */
function isReturn(state: AdaptiveState, params: AdaptiveRateParams): boolean {
  return state.probeAt > 0 && state.probeFrom < params.returnBelow * state.learned;
}

/** Failed returns that bring the wait before the next one to `returnMaxMs`. */
function returnDoublings(params: AdaptiveRateParams): number {
  return 1 + Math.max(0, Math.ceil(Math.log2(params.returnMaxMs / params.returnAfterMs)));
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

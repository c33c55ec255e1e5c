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
 * And a storm does not erase what was learned: see learned-rate.ts for the return to the rate the
 * limiter had settled at before it. The state and its tuning are in adaptive-state.ts.
 */

import { type AdaptiveRateParams, type AdaptiveState, clamp, climbed } from "./adaptive-state";
import { farBelowLearned, isReturn, returnDoublings, whileWaiting } from "./learned-rate";

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
  const inReturn = isReturn(state, params);
  const returnHeld = inReturn && cleanFor >= params.learnedProofMs;
  const returning = inReturn && !returnHeld;
  const probing = state.probeAt > 0 && !inReturn;
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

function farBelowPeak(state: AdaptiveState, params: AdaptiveRateParams): boolean {
  return state.rate < params.farBelowPeak * state.peak;
}

function maxDoublings(params: AdaptiveRateParams): number {
  return Math.max(0, Math.ceil(Math.log2(params.probeMaxMs / params.probeBaseMs)));
}

/**
 * The return to the learned rate after a storm, part of the adaptive rule (adaptive-rate.ts): a storm
 * does not erase what was learned. The rate the limiter had settled at before it (`learned`) is
 * remembered, and far below it half a second without any 429 is enough to go straight back there —
 * the remote's 429s stop as soon as its limit is restored, so the rate is back within about a second
 * of the storm's last refusals rather than climbing for many seconds.
 */
import { type AdaptiveRateParams, type AdaptiveState, clamp, climbed } from "./adaptive-state";

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

/**
 * Clean time needed far below the learned rate before returning to it: doubled from the second
 * failed return on, as one failure is common while a storm's refusals are still sparse.
 */
export function returnWaitMs(state: AdaptiveState, params: AdaptiveRateParams): number {
  return Math.min(params.returnMaxMs, params.returnAfterMs * 2 ** Math.max(0, state.failedReturns - 1));
}

export function farBelowLearned(state: AdaptiveState, params: AdaptiveRateParams): boolean {
  return state.rate < params.returnBelow * state.learned;
}

/** The running probe is a return to the learned rate from far below it. */
export function isReturn(state: AdaptiveState, params: AdaptiveRateParams): boolean {
  return state.probeAt > 0 && state.probeFrom < params.returnBelow * state.learned;
}

/** Failed returns that bring the wait before the next one to `returnMaxMs`. */
export function returnDoublings(params: AdaptiveRateParams): number {
  return 1 + Math.max(0, Math.ceil(Math.log2(params.returnMaxMs / params.returnAfterMs)));
}

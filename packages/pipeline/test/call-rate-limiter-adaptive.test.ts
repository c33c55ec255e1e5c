import { describe, expect, it } from "vitest";
import {
  type AdaptiveRateParams,
  type AdaptiveState,
  afterSuccess,
  afterThrottle,
  DEFAULT_ADAPTIVE_PARAMS,
  initialAdaptiveState,
  probeIntervalMs,
  returnWaitMs,
  whileWaiting,
} from "../src/index";

const params: AdaptiveRateParams = { ...DEFAULT_ADAPTIVE_PARAMS, initialRate: 5 };
const T0 = 1_000_000;

/** A success of a call granted just before `now`, with callers waiting (demand above the rate). */
function success(state: AdaptiveState, now: number): AdaptiveState {
  return afterSuccess({ ...state, busyAt: now - 1 }, now, params, now - 2);
}

/** Reports successes every 50 ms for `ms`, as a saturated stream of calls would. */
function cleanTraffic(state: AdaptiveState, from: number, ms: number): AdaptiveState {
  let s = state;
  for (let t = from; t <= from + ms; t += 50) s = success(s, t);
  return s;
}

/** A state hovering at `params.hover` × `ceiling` since `at`, as after a climb back from a cut. */
function hovering(ceiling: number, at: number, extra: Partial<AdaptiveState> = {}): AdaptiveState {
  return {
    ...initialAdaptiveState(params),
    rate: params.hover * ceiling,
    ceiling,
    lastCutAt: at - 10_000,
    lastStepAt: at,
    ...extra,
  };
}

describe("adaptive rate: decrease", () => {
  it("cuts once for a storm of 429s on calls sent before the cut, and remembers where they began", () => {
    let s: AdaptiveState = { ...initialAdaptiveState(params), rate: 12 };
    for (let i = 0; i < 20; i++) s = afterThrottle(s, T0 + i * 100, params, T0 - 50);
    expect(s.rate).toBeCloseTo(12 * params.decrease, 9);
    expect(s.ceiling).toBe(12);
    expect(s.lastCutAt).toBe(T0);
  });

  it("cuts at most once per window even for calls granted after the cut", () => {
    let s: AdaptiveState = { ...initialAdaptiveState(params), rate: 12 };
    s = afterThrottle(s, T0, params, T0 - 10);
    const within = afterThrottle(s, T0 + params.cutWindowMs - 1, params, T0 + 5);
    expect(within.rate).toBe(s.rate);
    expect(within.lastThrottleAt).toBe(T0 + params.cutWindowMs - 1);
    const after = afterThrottle(s, T0 + params.cutWindowMs, params, T0 + 5);
    expect(after.rate).toBeCloseTo(s.rate * params.decrease, 9);
  });

  it("takes the ceiling from what the remote accepted during a continuous overload", () => {
    // Climbing until just before: 20/s never held clean for long.
    let s: AdaptiveState = { ...initialAdaptiveState(params), rate: 20, lastStepAt: T0 - 250 };
    s = afterThrottle(s, T0, params, T0 - 10); // overload starts; rate 14
    // One second later: we sent 14 calls, all answered, 10 accepted and 4 refused → ≈ 10/s.
    s = { ...s, sentSince: 14, acceptedSince: 10, refusedSince: 4, answeredUntil: T0 + 1_000 };
    s = afterThrottle(s, T0 + 1_000, params, T0 + 900);
    expect(s.ceiling).toBeCloseTo(10, 9);
    expect(s.rate).toBeCloseTo(10 * params.decrease, 9);
    // The estimate may be low: the previous ceiling stays as a peak for fast probes to check.
    expect(s.peak).toBe(20);
  });

  it("measures nothing from answers that cover too short a span of grants (slow answers)", () => {
    let s: AdaptiveState = { ...initialAdaptiveState(params), rate: 20 };
    s = afterThrottle(s, T0, params, T0 - 10);
    s = { ...s, sentSince: 14, acceptedSince: 2, refusedSince: 4, answeredUntil: T0 + params.measureMs - 1 };
    s = afterThrottle(s, T0 + 1_000, params, T0 + 900);
    expect(s.ceiling).toBeCloseTo(14, 9);
  });

  it("takes the accepted calls per second of answered grants when the send-rate estimate is lower", () => {
    let s: AdaptiveState = { ...initialAdaptiveState(params), rate: 20 };
    s = afterThrottle(s, T0, params, T0 - 10); // rate 14
    // 12 calls sent over 1 s (about the rate allowed); the 7 answered (granted in the first 500 ms, at
    // the higher rate) hold 4 accepted: 12/s × 4/7 ≈ 6.9/s by the share, but 4 accepted per 500 ms of
    // grants is 8/s.
    s = { ...s, sentSince: 12, acceptedSince: 4, refusedSince: 3, answeredUntil: T0 + 500 };
    s = afterThrottle(s, T0 + 1_000, params, T0 + 900);
    expect(s.ceiling).toBeCloseTo(8, 9);
  });

  it("measures nothing from an overload while it sent well below the rate allowed (its demand, not the limit)", () => {
    let s: AdaptiveState = { ...initialAdaptiveState(params), rate: 20 };
    s = afterThrottle(s, T0, params, T0 - 10); // rate 14
    // 4 calls over 1 s where 14/s were allowed: the 429s came from a burst of grants; what was
    // accepted says how much we asked for, not what the remote takes. A plain cut instead.
    s = { ...s, sentSince: 4, acceptedSince: 3, refusedSince: 1, answeredUntil: T0 + 800 };
    s = afterThrottle(s, T0 + 1_000, params, T0 + 900);
    expect(s.ceiling).toBeCloseTo(14, 9);
    expect(s.rate).toBeCloseTo(14 * params.decrease, 9);
  });

  it("never goes below minRate", () => {
    let s: AdaptiveState = { ...initialAdaptiveState(params), rate: params.minRate };
    s = afterThrottle(s, T0, params, T0 - 1);
    expect(s.rate).toBe(params.minRate);
  });
});

describe("adaptive rate: increase", () => {
  it("does not climb without callers waiting or without a success sent at the current rate", () => {
    const s: AdaptiveState = { ...initialAdaptiveState(params), lastStepAt: T0 };
    const idle = afterSuccess({ ...s, busyAt: T0 - 5 }, T0 + 10_000, params, T0 + 9_000);
    expect(idle.rate).toBe(s.rate);
    const stale = afterSuccess({ ...s, busyAt: T0 + 9_000 }, T0 + 10_000, params, T0 - 1);
    expect(stale.rate).toBe(s.rate);
  });

  it("climbs multiplicatively while no 429 was ever seen", () => {
    const s = cleanTraffic({ ...initialAdaptiveState(params), lastStepAt: T0 }, T0, 1_000);
    expect(s.rate).toBeCloseTo(5 * params.growth ** 4, 6);
  });

  it("climbs fast from far below the ceiling, then settles at the hover point without passing it", () => {
    const cut: AdaptiveState = {
      ...initialAdaptiveState(params),
      rate: 7,
      ceiling: 10,
      lastCutAt: T0,
      lastStepAt: T0,
    };
    const early = cleanTraffic(cut, T0, params.stepMs);
    expect(early.rate).toBeGreaterThan(8);
    const settled = cleanTraffic(cut, T0, 10_000);
    expect(settled.rate).toBeCloseTo(params.hover * 10, 9);
  });

  it("hovers under the ceiling until a whole probe interval was clean", () => {
    const s = hovering(10, T0);
    const before = cleanTraffic(s, T0, params.probeBaseMs - 100);
    expect(before.rate).toBe(s.rate);
    expect(before.probeAt).toBe(0);
  });

  it("probes one small step up after a clean interval; each clean probe doubles the step and halves the wait", () => {
    const s = hovering(10, T0);
    const probe = cleanTraffic(s, T0, params.probeBaseMs + 100);
    expect(probe.rate).toBeCloseTo(s.rate * (1 + params.probeStep), 9);
    expect(probe.probeAt).toBeGreaterThan(0);
    expect(probe.probeFrom).toBe(s.rate);
    expect(probeIntervalMs(probe, params)).toBe(params.probeBaseMs);
    const nextProbe = cleanTraffic(probe, probe.lastStepAt, params.probeBaseMs + 100);
    expect(nextProbe.ceiling).toBeCloseTo(probe.rate / params.hover, 9);
    expect(nextProbe.rate).toBeCloseTo(probe.rate * (1 + 2 * params.probeStep), 9);
    expect(probeIntervalMs(nextProbe, params)).toBe(params.probeBaseMs / 2);
    let streak = nextProbe;
    for (let i = 0; i < 8; i++)
      streak = cleanTraffic(streak, streak.lastStepAt, probeIntervalMs(streak, params) + 100);
    expect(streak.rate / streak.probeFrom).toBeCloseTo(1 + params.maxProbeStep, 9);
    expect(probeIntervalMs(streak, params)).toBe(params.fastProbeMs);
  });

  it("a failed probe goes back to the rate it started from, resets the step and halves the peak", () => {
    const s = hovering(10, T0, { probeAt: T0, probeFrom: 9.7, rate: 12, cleanProbes: 3, peak: 30 });
    const failed = afterThrottle(s, T0 + 2_000, params, T0 + 1_500);
    expect(failed.ceiling).toBeCloseTo(9.7 / params.hover, 9);
    expect(failed.rate).toBeCloseTo((9.7 / params.hover) * params.decrease, 9);
    expect(failed.cleanProbes).toBe(0);
    expect(failed.peak).toBe(15);
  });

  it("probes fast, in growing steps, far below a peak it once held (when no learned rate is known)", () => {
    // A peak from probes that held, no learned rate (the overload came before any rate settled).
    const s = { ...hovering(2, T0), rate: 1.4, peak: 9.5 };
    const climbed = cleanTraffic(s, T0 + 1_000, params.stepMs + 50);
    expect(climbed.rate).toBeCloseTo(params.hover * 2, 9);
    expect(probeIntervalMs(climbed, params)).toBe(params.fastProbeMs);
    const probed = cleanTraffic(climbed, climbed.lastStepAt, params.fastProbeMs + 100);
    expect(probed.rate).toBeCloseTo(climbed.rate * (1 + params.farProbeStep), 9);
  });

  it("does not take a rate that drew a 429 within peakProofMs for a peak: the remote's burst hid the overload", () => {
    const s = afterThrottle(hovering(10, T0), T0 + params.peakProofMs - 1_000, params, T0 + 1_000);
    expect(s.peak).toBe(0);
  });

  it("probes less often after failed probes, and often again after several clean ones", () => {
    const failed = afterThrottle(hovering(10, T0, { probeAt: T0 }), T0 + 5_000, params, T0 + 4_000);
    expect(failed.failedProbes).toBe(1);
    expect(probeIntervalMs(failed, params)).toBe(2 * params.probeBaseMs);
    const worn = { ...failed, failedProbes: 10 };
    expect(probeIntervalMs(worn, params)).toBe(params.probeMaxMs);

    let s = hovering(10, T0, { failedProbes: 2 });
    let t = T0;
    for (let i = 0; i <= params.cleanProbesToReset; i++) {
      s = cleanTraffic(s, t, probeIntervalMs(s, params) + 100);
      t = s.lastStepAt;
    }
    expect(s.failedProbes).toBe(0);
  });
});

describe("adaptive rate: the learned rate and the return to it after a storm", () => {
  /** Hovering at 9.5 (ceiling 10) for longer than learnedProofMs, then a storm's first 429. */
  function stormHit(): { state: AdaptiveState; at: number } {
    const at = T0 + params.learnedProofMs + 1_000;
    return { state: afterThrottle(hovering(10, T0), at, params, at - 10), at };
  }

  /** The storm cut and cut again: far below the learned rate, its last 429 at `at`. */
  function deepInStorm(): { state: AdaptiveState; at: number } {
    const { state, at } = stormHit();
    const cutAgain = afterThrottle(state, at + 400, params, at + 300);
    const deep = afterThrottle(cutAgain, at + 800, params, at + 700);
    return { state: deep, at: at + 800 };
  }

  it("learns the rate it had settled at when an overload begins", () => {
    const { state } = stormHit();
    expect(state.learned).toBeCloseTo(params.hover * 10, 9);
    expect(state.rate).toBeCloseTo(params.hover * 10 * params.decrease, 9);
  });

  it("learns nothing from a rate that had not held clean for learnedProofMs", () => {
    const at = T0 + params.learnedProofMs - 1_000;
    expect(afterThrottle(hovering(10, T0), at, params, at - 10).learned).toBe(0);
  });

  it("climbs back gently from a single 429 at the learned rate: no return", () => {
    const { state, at } = stormHit();
    expect(state.rate).toBeGreaterThan(params.returnBelow * state.learned);
    const later = whileWaiting(state, at + 10 * params.returnAfterMs, params);
    expect(later).toBe(state);
  });

  it("goes straight back to the learned rate once no call drew a 429 for returnAfterMs", () => {
    const { state, at } = deepInStorm();
    expect(state.rate).toBeLessThan(params.returnBelow * state.learned);
    expect(whileWaiting(state, at + params.returnAfterMs - 1, params)).toBe(state);
    const back = whileWaiting(state, at + params.returnAfterMs, params);
    expect(back.rate).toBeCloseTo(state.learned, 9);
    expect(back.ceiling).toBeCloseTo(state.learned / params.hover, 9);
    expect(back.probeFrom).toBe(state.rate);
  });

  it("waits for the last 429 of any call, even one sent before the last cut", () => {
    const { state, at } = deepInStorm();
    const late = afterThrottle(state, at + 300, params, at - 500);
    expect(late.rate).toBe(state.rate);
    expect(whileWaiting(late, at + params.returnAfterMs, params)).toBe(late);
    expect(whileWaiting(late, at + 300 + params.returnAfterMs, params).rate).toBeCloseTo(state.learned, 9);
  });

  it("a return refused at once goes back down and keeps the learned rate; the second refused doubles the wait", () => {
    const { state, at } = deepInStorm();
    const back = whileWaiting(state, at + params.returnAfterMs, params);
    const refused = afterThrottle(back, back.lastStepAt + 400, params, back.lastStepAt + 10);
    expect(refused.rate).toBeLessThan(params.returnBelow * state.learned);
    expect(refused.learned).toBe(state.learned);
    expect(refused.failedReturns).toBe(1);
    expect(returnWaitMs(refused, params)).toBe(params.returnAfterMs);
    const again = whileWaiting(refused, refused.lastStepAt + params.returnAfterMs, params);
    const refusedAgain = afterThrottle(again, again.lastStepAt + 400, params, again.lastStepAt + 10);
    expect(refusedAgain.failedReturns).toBe(2);
    expect(returnWaitMs(refusedAgain, params)).toBe(2 * params.returnAfterMs);
  });

  it("forgets the learned rate bit by bit once returns keep failing at returnMaxMs (a limit lowered for good)", () => {
    let { state, at } = deepInStorm();
    for (let i = 0; i < 9; i++) {
      at += returnWaitMs(state, params);
      const back = whileWaiting(state, at, params);
      expect(back.rate).toBeCloseTo(back.learned, 9);
      at += 400;
      state = afterThrottle(back, at, params, at - 300);
    }
    expect(returnWaitMs(state, params)).toBe(params.returnMaxMs);
    expect(state.learned).toBeLessThan(params.hover * 10 * params.peakDecay);
  });

  it("a return that held for learnedProofMs before its first 429 lowers the learned rate a little", () => {
    const { state, at } = deepInStorm();
    const back = whileWaiting(state, at + params.returnAfterMs, params);
    const heldAt = back.lastStepAt + params.learnedProofMs + 100;
    const refused = afterThrottle(back, heldAt, params, heldAt - 10);
    expect(refused.learned).toBeCloseTo(state.learned * params.hover, 9);
    expect(refused.failedReturns).toBe(0);
  });
});

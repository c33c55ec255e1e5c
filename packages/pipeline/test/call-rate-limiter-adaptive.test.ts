import { describe, expect, it } from "vitest";
import {
  type AdaptiveRateParams,
  type AdaptiveState,
  afterSuccess,
  afterThrottle,
  DEFAULT_ADAPTIVE_PARAMS,
  initialAdaptiveState,
  probeIntervalMs,
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

  it("remembers a rate that held clean for long before a storm, and probes fast far below it", () => {
    // Hovering for longer than peakProofMs, then a storm: cut after cut down to a 2/s ceiling.
    const held = params.peakProofMs + 1_000;
    let s = hovering(10, T0);
    s = afterThrottle(s, T0 + held, params, T0 + held - 10);
    expect(s.peak).toBeCloseTo(params.hover * 10, 9);
    s = { ...s, ceiling: 2, rate: 1.4 };
    // Straight back to the hover point, then probes every fastProbeMs with a large first step.
    const climbed = cleanTraffic(s, T0 + held + 1_000, params.stepMs + 50);
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

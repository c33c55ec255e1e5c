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
    // A climb's rates were never held: nothing to come back to after a storm.
    expect(s.peak).toBe(0);
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

  it("a failed probe near the peak goes back to the rate it started from, resets the step and lowers the peak to it", () => {
    const s = hovering(10, T0, { probeAt: T0, probeFrom: 9.7, rate: 12, cleanProbes: 3, peak: 12 });
    const failed = afterThrottle(s, T0 + 2_000, params, T0 + 1_500);
    expect(failed.ceiling).toBeCloseTo(9.7 / params.hover, 9);
    expect(failed.rate).toBeCloseTo((9.7 / params.hover) * params.decrease, 9);
    expect(failed.cleanProbes).toBe(0);
    expect(failed.failedProbes).toBe(1);
    expect(failed.peak).toBe(9.7);
  });

  it("does not take a climbing rate that drew a 429 within peakProofMs for a peak: the remote's burst hid the overload", () => {
    const climbing = { ...hovering(10, T0), rate: 9 };
    const s = afterThrottle(climbing, T0 + params.peakProofMs - 1_000, params, T0 + 1_000);
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

describe("adaptive rate: recovery after a storm", () => {
  const peak = params.hover * 10;
  /** Hovering at 9.5/s, then the remote's limit falls to 1/s: cut after cut. */
  function inStorm(): AdaptiveState {
    let s = afterThrottle(hovering(10, T0), T0 + 5_000, params, T0 + 4_990);
    expect(s.peak).toBeCloseTo(peak, 9);
    for (let i = 1; i <= 6; i++) s = afterThrottle(s, T0 + 5_000 + i * 300, params, T0 + 4_990 + i * 300);
    return s;
  }

  it("takes the hover point where a storm's first cut came for the peak, and cuts no lower than stormFloor of it", () => {
    const s = inStorm();
    expect(s.peak).toBeCloseTo(peak, 9);
    expect(s.rate).toBeCloseTo(params.stormFloor * peak, 9);
  });

  it("far below the peak does not climb step by step: after farProbeMs clean it probes straight back to the peak", () => {
    const s = inStorm();
    expect(probeIntervalMs(s, params)).toBe(params.farProbeMs);
    const early = cleanTraffic(s, s.lastStepAt, params.farProbeMs - 60);
    expect(early.rate).toBe(s.rate);
    const probed = cleanTraffic(s, s.lastStepAt, params.farProbeMs + 50);
    expect(probed.rate).toBeCloseTo(peak, 9);
    expect(probed.probeFrom).toBe(s.rate);
  });

  it("a far probe refused at once met the storm: back to where it started, peak and probe interval unchanged", () => {
    const s = inStorm();
    const probed = cleanTraffic(s, s.lastStepAt, params.farProbeMs + 50);
    const refused = afterThrottle(probed, probed.probeAt + 600, params, probed.probeAt + 10);
    expect(refused.rate).toBe(s.rate);
    expect(refused.peak).toBeCloseTo(peak, 9);
    expect(refused.failedProbes).toBe(s.failedProbes);
    expect(probeIntervalMs(refused, params)).toBe(params.farProbeMs);
  });

  it("wears the peak down once refusals go on for stormMemoryMs (a limit lowered for good)", () => {
    const s = inStorm();
    const probed = cleanTraffic(s, s.lastStepAt, params.farProbeMs + 50);
    const late = { ...probed, probeAt: s.nearPeakAt + params.stormMemoryMs };
    const refused = afterThrottle(late, late.probeAt + 600, params, late.probeAt + 10);
    expect(refused.peak).toBeCloseTo(Math.max(s.rate, peak * params.peakDecay), 9);
  });

  it("a far probe the remote took for a while before refusing met no storm: the hover point under it becomes the peak", () => {
    const s = inStorm();
    const probed = cleanTraffic(s, s.lastStepAt, params.farProbeMs + 50);
    const at = probed.probeAt + params.stormSignalMs + 5_000;
    const refused = afterThrottle(probed, at, params, at - 400);
    expect(refused.ceiling).toBeCloseTo(peak, 9);
    expect(refused.peak).toBeCloseTo(params.hover * peak, 9);
    expect(refused.rate).toBeCloseTo(peak * params.decrease, 9);
  });

  it("a single cut at the hover point is not far below the peak: climbed back carefully, without far probes", () => {
    const s = afterThrottle(hovering(10, T0), T0 + 5_000, params, T0 + 4_990);
    expect(s.rate / s.peak).toBeGreaterThanOrEqual(params.farBelowPeak);
    const climbed = cleanTraffic(s, s.lastStepAt, params.stepMs + 50);
    expect(climbed.rate).toBeLessThan(peak);
    expect(climbed.probeAt).toBe(0);
  });
});

/**
 * The adaptive rule against a simulated remote (token buckets as the sandbox's, log-normal latency,
 * simulated clock): whole runs of the rule, deterministic, in milliseconds of real time.
 */
import { describe, expect, it } from "vitest";
import { type SimLimits, simulateLimiter, window } from "./fixtures/rate-simulation";

const DEFAULT_LIMITS: SimLimits = { app: { qps: 20, burst: 20 }, method: { qps: 10, burst: 10 } };
const STORM: SimLimits = { app: { qps: 2, burst: 2 }, method: { qps: 2, burst: 2 } };
const REALISTIC = { medianMs: 400, p99Ms: 900 };
/** The batch bucket cut to 1 call/s, burst 1, the app bucket left alone (the payment-budget storm). */
const BATCH_STORM: SimLimits = { app: DEFAULT_LIMITS.app, method: { qps: 1, burst: 1 } };
const SEEDS = [1, 2, 3];

describe("adaptive rate in a simulation of the remote", () => {
  it.each(SEEDS)("settles near the 10/s batch limit with few 429s at 400 ms latency (seed %i)", (seed) => {
    // Three workers with eight calls each in flight or waiting.
    const run = simulateLimiter({
      durationMs: 60_000,
      callers: 24,
      latency: REALISTIC,
      limitsAt: () => DEFAULT_LIMITS,
      seed,
    });
    const steady = window(run, 20, 60);
    console.log(
      `seed ${seed}: ${steady.acceptedPerS.toFixed(2)} accepted/s, 429 share ${(steady.throttledShare * 100).toFixed(2)}%`,
    );
    expect(steady.acceptedPerS).toBeGreaterThanOrEqual(9.5);
    expect(steady.throttledShare).toBeLessThanOrEqual(0.01);
  });

  it.each(SEEDS)("comes back to the limit within seconds after a 2 s storm at 2/s (seed %i)", (seed) => {
    const run = simulateLimiter({
      durationMs: 80_000,
      callers: 24,
      latency: REALISTIC,
      limitsAt: (t) => (t >= 40_000 && t < 42_000 ? STORM : DEFAULT_LIMITS),
      seed,
    });
    const during = window(run, 40, 42);
    // The 13th to 18th second after the limits came back, and later.
    const recovered = window(run, 55, 60);
    const after = window(run, 60, 80);
    console.log(
      `seed ${seed}: storm ${during.acceptedPerS.toFixed(1)}/s; 13–18 s after it ${recovered.acceptedPerS.toFixed(1)}/s, then ${after.acceptedPerS.toFixed(1)}/s; ` +
        `rates per second after it: ${run.seconds
          .slice(42, 62)
          .map((s) => s.accepted)
          .join(" ")}`,
    );
    expect(during.throttledShare).toBeGreaterThan(0.5);
    expect(recovered.acceptedPerS).toBeGreaterThanOrEqual(8);
    expect(after.acceptedPerS).toBeGreaterThanOrEqual(9);
    expect(after.throttledShare).toBeLessThanOrEqual(0.02);
  });

  it.each(SEEDS)(
    "is back at its learned rate within 2 simulated s of a 3 s storm at 1 call/s, and stays (seed %i)",
    (seed) => {
      const stormAt = 40_000;
      const stormEnd = stormAt + 3_000;
      const run = simulateLimiter({
        durationMs: stormEnd + 15_000,
        callers: 24,
        latency: REALISTIC,
        limitsAt: (t) => (t >= stormAt && t < stormEnd ? BATCH_STORM : DEFAULT_LIMITS),
        seed,
      });
      const before = run.methodRates.findLast(([t]) => t < stormAt)![1];
      const after = run.methodRates.filter(([t]) => t >= stormEnd);
      // From the first sample after which the rate never again drops under 95% of the pre-storm rate.
      const lastLow = after.findLastIndex(([, rate]) => rate < 0.95 * before);
      const backAt = after[lastLow + 1]?.[0];
      console.log(
        `seed ${seed}: pre-storm ${before.toFixed(2)}/s, back for good ${backAt === undefined ? "never" : `${backAt - stormEnd} ms`} after the storm`,
      );
      expect(before).toBeGreaterThanOrEqual(9);
      expect(backAt).toBeDefined();
      expect(backAt! - stormEnd).toBeLessThanOrEqual(2_000);
      const late = window(run, (stormEnd + 5_000) / 1000, (stormEnd + 15_000) / 1000);
      expect(late.throttledShare).toBeLessThanOrEqual(0.01);
    },
  );
});

/**
 * The adaptive rule against a simulated remote (token buckets as the sandbox's, log-normal latency,
 * simulated clock): whole runs of the rule, deterministic, in milliseconds of real time. Times
 * asserted here are simulated, so they cannot flake on a loaded machine.
 */
import { describe, expect, it } from "vitest";
import { rateAt, type SimLimits, settledAfter, simulateLimiter, window } from "./fixtures/rate-simulation";

const DEFAULT_LIMITS: SimLimits = { app: { qps: 20, burst: 20 }, method: { qps: 10, burst: 10 } };
/** The storm of the recovery bench: batch/predict cut to 1 call/s (burst 1), the app limit kept. */
const BATCH_STORM: SimLimits = { app: { qps: 20, burst: 20 }, method: { qps: 1, burst: 1 } };
const REALISTIC = { medianMs: 400, p99Ms: 900 };
const SEEDS = [1, 2, 3];
/** Three workers with eight calls each in flight or waiting. */
const CALLERS = 24;

describe("adaptive rate in a simulation of the remote", () => {
  it.each(SEEDS)(
    "runs at ≥ 95%% of the 10/s batch limit with ≤ 0.1%% 429s after a 20 s warm-up (seed %i)",
    (seed) => {
      // As the utilisation bench: 140 s, the first 20 s warm-up.
      const run = simulateLimiter({
        durationMs: 140_000,
        callers: CALLERS,
        latency: REALISTIC,
        limitsAt: () => DEFAULT_LIMITS,
        seed,
      });
      const steady = window(run, 20, 140);
      console.log(
        `seed ${seed}: ${steady.acceptedPerS.toFixed(2)} accepted/s, 429 share ${(steady.throttledShare * 100).toFixed(3)}%`,
      );
      expect(steady.acceptedPerS).toBeGreaterThanOrEqual(9.5);
      expect(steady.throttledShare).toBeLessThanOrEqual(0.001);
    },
  );

  it.each(SEEDS)(
    "is back at ≥ 95%% of the rate it held before a 3 s storm at 1/s within 2 s of its end (seed %i)",
    (seed) => {
      const stormFrom = 40_000;
      const stormTo = stormFrom + 3_000;
      const run = simulateLimiter({
        durationMs: 80_000,
        callers: CALLERS,
        latency: REALISTIC,
        limitsAt: (t) => (t >= stormFrom && t < stormTo ? BATCH_STORM : DEFAULT_LIMITS),
        seed,
      });
      const before = rateAt(run, stormFrom - 1);
      // Back at that level and staying there for the 20 s after the storm.
      const recoveryMs = settledAfter(run, stormTo, stormTo + 20_000, 0.95 * before);
      const during = window(run, 40, 43);
      // From 2 s after the storm: the calls granted during it have been answered.
      const after = window(run, 45, 80);
      console.log(
        `seed ${seed}: ${before.toFixed(2)}/s before the storm, back at 95% of it ${recoveryMs} ms after it; ` +
          `429 share during it ${(during.throttledShare * 100).toFixed(0)}%, after it ${(after.throttledShare * 100).toFixed(3)}%`,
      );
      expect(before).toBeGreaterThanOrEqual(9.5);
      // The storm bit (the simulation is not vacuous).
      expect(during.throttledShare).toBeGreaterThan(0.5);
      expect(recoveryMs).toBeDefined();
      expect(recoveryMs).toBeLessThanOrEqual(2_000);
      // Coming back to the old rate costs no 429s once the storm's own are answered.
      expect(after.throttledShare).toBeLessThanOrEqual(0.001);
    },
  );

  it("forgets the old rate when the limit stays low: a lasting cut to 5/s runs near 5/s with few 429s", () => {
    const run = simulateLimiter({
      durationMs: 140_000,
      callers: CALLERS,
      latency: REALISTIC,
      limitsAt: (t) => (t < 40_000 ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, method: { qps: 5, burst: 5 } }),
      seed: 1,
    });
    const settled = window(run, 80, 140);
    console.log(
      `after the limit fell to 5/s for good: ${settled.acceptedPerS.toFixed(2)} accepted/s, 429 share ${(settled.throttledShare * 100).toFixed(2)}%`,
    );
    expect(settled.acceptedPerS).toBeGreaterThanOrEqual(4.5);
    expect(settled.throttledShare).toBeLessThanOrEqual(0.01);
  });
});

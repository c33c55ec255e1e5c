import { createRng } from "@riskq/synthetic";
import { describe, expect, it } from "vitest";
import {
  CANARY_SPREAD,
  flatlineSignals,
  flatlineVerdict,
  isSpread,
  summarize,
  type WindowSummary,
  windowOf,
} from "../src/index";

/** A healthy-looking window: a skewed spread over [0, 1] like a risk model's scores. */
function spread(n: number, seed: number): WindowSummary {
  const rng = createRng(seed);
  return summarize(windowOf(Array.from({ length: n }, () => rng.next() ** 2)));
}

function constant(n: number, value = 0.5): WindowSummary {
  return summarize(windowOf(new Array<number>(n).fill(value)));
}

const reference = spread(10_000, 1);

describe("flatline signals", () => {
  it("std ratio fires when the spread falls under a tenth of the reference's", () => {
    const rng = createRng(2);
    // 0.5 ± 0.01: many distinct values, 2 bins, but std far under the reference's (~0.3).
    const narrow = summarize(windowOf(Array.from({ length: 500 }, () => 0.5 + (rng.next() - 0.5) * 0.02)));
    const signals = flatlineSignals(narrow, reference);
    expect(signals.stdRatio).toBeLessThan(0.1);
    expect(signals.fired).toContain("std_ratio");
    expect(signals.fired).not.toContain("top_value_share");
    expect(signals.fired).not.toContain("distinct_ratio");
  });

  it("std ratio is not counted without a reference, or with a reference of std 0", () => {
    const flat = constant(300);
    expect(flatlineSignals(flat, undefined).stdRatio).toBeUndefined();
    expect(flatlineSignals(flat, undefined).fired).not.toContain("std_ratio");
    expect(flatlineSignals(flat, constant(300, 0.2)).fired).not.toContain("std_ratio");
  });

  it("top-value share fires above 0.8 of one value, not at 0.8", () => {
    const rng = createRng(4);
    const mostlyHalf = (share: number) =>
      summarize(
        windowOf(Array.from({ length: 1_000 }, (_, i) => (i < share * 1_000 ? 0.5 : 0.6 + rng.next() * 0.4))),
      );
    expect(flatlineSignals(mostlyHalf(0.81), reference).fired).toContain("top_value_share");
    expect(flatlineSignals(mostlyHalf(0.8), reference).fired).not.toContain("top_value_share");
  });

  it("distinct ratio fires under 1 distinct value per 100 scores", () => {
    // 4 values spread far apart over 1 000 scores: ratio 0.004, yet std and entropy look fine.
    const fourValues = summarize(
      windowOf(Array.from({ length: 1_000 }, (_, i) => [0.05, 0.35, 0.65, 0.95][i % 4]!)),
    );
    const signals = flatlineSignals(fourValues, reference);
    expect(signals.fired).toEqual(["distinct_ratio"]);
    expect(flatlineSignals(spread(1_000, 5), reference).fired).not.toContain("distinct_ratio");
  });

  it("entropy fires when nearly everything falls in one bin", () => {
    const rng = createRng(6);
    const oneBin = summarize(windowOf(Array.from({ length: 1_000 }, () => 0.3 + rng.next() * 0.049)));
    const signals = flatlineSignals(oneBin, reference);
    expect(signals.entropy).toBe(0);
    expect(signals.fired).toContain("entropy");
    expect(signals.fired).not.toContain("top_value_share");
  });

  it("a constant 0.5 fires all four", () => {
    expect(flatlineSignals(constant(300), reference).fired).toEqual([
      "std_ratio",
      "top_value_share",
      "distinct_ratio",
      "entropy",
    ]);
  });

  it("a healthy spread fires none", () => {
    expect(flatlineSignals(spread(300, 8), reference).fired).toEqual([]);
  });
});

describe("flatline verdict", () => {
  it("a flatline at exactly 0.5 in two windows in a row is a flatline", () => {
    const verdict = flatlineVerdict(constant(250), constant(300), reference);
    expect(verdict.flatline).toBe(true);
    expect(verdict.decided).toBe(true);
    expect(verdict.reason).toMatch(/two windows in a row/);
  });

  it("one flat window only is not yet a flatline", () => {
    const verdict = flatlineVerdict(constant(300), undefined, reference);
    expect(verdict).toMatchObject({ flatline: false, decided: false });
    expect(verdict.reason).toMatch(/no previous window/);
  });

  it("a flat window after a healthy one is not yet a flatline", () => {
    const verdict = flatlineVerdict(constant(300), spread(300, 9), reference);
    expect(verdict).toMatchObject({ flatline: false, decided: true });
    expect(verdict.reason).toMatch(/not two in a row/);
  });

  it("gives no verdict under N = 200 in either window", () => {
    expect(flatlineVerdict(constant(199), constant(300), reference)).toMatchObject({
      flatline: false,
      decided: false,
    });
    const thinPrevious = flatlineVerdict(constant(300), constant(199), reference);
    expect(thinPrevious).toMatchObject({ flatline: false, decided: false });
    expect(thinPrevious.reason).toMatch(/199 scores/);
    expect(flatlineVerdict(constant(200), constant(200), reference).flatline).toBe(true);
    expect(flatlineVerdict(constant(150), constant(150), reference, { minN: 100 }).flatline).toBe(true);
  });

  it("a healthy spread is no flatline", () => {
    const verdict = flatlineVerdict(spread(300, 10), spread(300, 11), reference);
    expect(verdict).toMatchObject({ flatline: false, decided: true });
    expect(verdict.signals.fired).toEqual([]);
  });

  it("one signal alone is not enough, without a reference two of the other three are", () => {
    const rng = createRng(12);
    const narrow = () =>
      summarize(windowOf(Array.from({ length: 400 }, () => 0.5 + (rng.next() - 0.5) * 0.02)));
    expect(flatlineVerdict(narrow(), narrow(), reference).flatline).toBe(false);
    expect(flatlineVerdict(constant(300), constant(300), undefined).flatline).toBe(true);
  });
});

describe("canary spread", () => {
  it("a spread canary batch refutes, a flat one confirms", () => {
    const rng = createRng(13);
    expect(isSpread(summarize(windowOf(Array.from({ length: 20 }, () => rng.next()))))).toBe(true);
    expect(isSpread(constant(20))).toBe(false);
    // Jitter around one value: many distinct values, no spread.
    expect(isSpread(summarize(windowOf(Array.from({ length: 20 }, (_, i) => 0.5 + i * 0.0005))))).toBe(false);
    // Two far-apart constants: spread, but too few distinct values to be a discriminating model.
    expect(isSpread(summarize(windowOf(Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.1 : 0.9)))))).toBe(
      false,
    );
    expect(CANARY_SPREAD.minDistinct).toBeGreaterThan(2);
  });
});

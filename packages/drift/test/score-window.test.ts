import { createRng } from "@riskq/synthetic";
import { describe, expect, it } from "vitest";
import { addScore, emptyWindow, mergeWindows, summarize, windowOf, windowSize } from "../src/index";

/** Statistics computed the plain way, from the raw (rounded) list. */
function direct(scores: number[]) {
  const rounded = scores.map((s) => Math.round(s * 10_000) / 10_000);
  const n = rounded.length;
  const mean = rounded.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(rounded.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const counts = new Map<number, number>();
  for (const r of rounded) counts.set(r, (counts.get(r) ?? 0) + 1);
  return { n, mean, std, distinct: counts.size, top: Math.max(...counts.values()) / n };
}

describe("score window", () => {
  it("counts scores by their value rounded to 4 decimals", () => {
    const window = windowOf([0.12341, 0.1234, 0.9, 1, 0]);
    expect([...window.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 1],
      [1234, 2],
      [9000, 1],
      [10_000, 1],
    ]);
    expect(windowSize(window)).toBe(5);
  });

  it("refuses confidences outside [0, 1] and NaN", () => {
    for (const bad of [-0.01, 1.01, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => addScore(emptyWindow(), bad)).toThrow(RangeError);
    }
  });

  it("merges without touching its inputs", () => {
    const a = windowOf([0.1, 0.2]);
    const b = windowOf([0.2, 0.3]);
    const merged = mergeWindows(a, b);
    expect(Object.fromEntries(merged)).toEqual({ 1000: 1, 2000: 2, 3000: 1 });
    expect(Object.fromEntries(a)).toEqual({ 1000: 1, 2000: 1 });
    expect(Object.fromEntries(b)).toEqual({ 2000: 1, 3000: 1 });
  });

  it("summarises exactly what the raw list gives", () => {
    const rng = createRng(7);
    const scores = Array.from({ length: 5_000 }, () => Math.min(1, Math.max(0, 0.2 + 0.15 * rng.normal())));
    const summary = summarize(windowOf(scores));
    const expected = direct(scores);
    expect(summary.n).toBe(expected.n);
    expect(summary.mean).toBeCloseTo(expected.mean, 12);
    expect(summary.std).toBeCloseTo(expected.std, 12);
    expect(summary.distinct).toBe(expected.distinct);
    expect(summary.distinctRatio).toBeCloseTo(expected.distinct / expected.n, 12);
    expect(summary.topValueShare).toBeCloseTo(expected.top, 12);
    expect(summary.bins20.reduce((a, b) => a + b, 0)).toBe(5_000);
  });

  it("bins [0, 0.05) first and puts exactly 1 in the last of 20 bins", () => {
    const { bins20 } = summarize(windowOf([0, 0.0499, 0.05, 0.5, 0.95, 1]));
    expect(bins20[0]).toBe(2);
    expect(bins20[1]).toBe(1);
    expect(bins20[10]).toBe(1);
    expect(bins20[19]).toBe(2);
  });

  it("keeps the normalised entropy within [0, 1]: 0 for one bin, 1 for a uniform spread", () => {
    expect(summarize(windowOf([0.5, 0.5, 0.51])).entropy20).toBe(0);
    const uniform = windowOf(Array.from({ length: 20 }, (_, i) => i * 0.05 + 0.01));
    expect(summarize(uniform).entropy20).toBeCloseTo(1, 12);
    const rng = createRng(3);
    for (let trial = 0; trial < 200; trial++) {
      const size = 1 + rng.int(0, 300);
      const skew = rng.next() * 4;
      const { entropy20 } = summarize(windowOf(Array.from({ length: size }, () => rng.next() ** skew)));
      expect(entropy20).toBeGreaterThanOrEqual(0);
      expect(entropy20).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it("summarises an empty window to zeros", () => {
    const summary = summarize(emptyWindow());
    expect(summary).toMatchObject({ n: 0, std: 0, topValueShare: 0, distinctRatio: 0, entropy20: 0 });
  });
});

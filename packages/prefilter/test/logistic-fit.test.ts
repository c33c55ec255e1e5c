import { createRng } from "@riskq/synthetic";
import { describe, expect, it } from "vitest";
import { fitLogistic, type SparseRows, sigmoid } from "../src/index";
import { solveSymmetric } from "../src/logistic-fit";

/** Rows drawn from a known logistic model: one continuous feature and a one-hot pair. */
function sample(
  n: number,
  seed: number,
  truth: { intercept: number; w: [number, number, number] },
): SparseRows {
  const rng = createRng(seed);
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    const hot = rng.chance(0.5) ? 1 : 2;
    indices.push(0, hot);
    values.push(x, 1);
    starts.push(indices.length);
    const p = sigmoid(truth.intercept + truth.w[0] * x + truth.w[hot]!);
    labels.push(rng.chance(p) ? 1 : 0);
  }
  return {
    dimension: 3,
    starts: Int32Array.from(starts),
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
    labels: Uint8Array.from(labels),
  };
}

describe("logistic regression fit", () => {
  it("recovers the coefficients of the model that drew the labels", () => {
    // Intercept and the one-hot pair are collinear: only intercept + w_k is identified, so compare those.
    const truth = { intercept: -1, w: [1.5, 0.5, -1] as [number, number, number] };
    const fit = fitLogistic(sample(40_000, 1, truth), { l2: 0.01, maxIterations: 50, tolerance: 1e-9 });
    expect(fit.weights[0]).toBeCloseTo(1.5, 1);
    expect(fit.intercept + (fit.weights[1] as number)).toBeCloseTo(-0.5, 1);
    expect(fit.intercept + (fit.weights[2] as number)).toBeCloseTo(-2, 1);
    // Newton converges in a handful of exact steps.
    expect(fit.iterations).toBeLessThan(15);
  });

  it("is deterministic to the bit", () => {
    const rows = sample(5_000, 2, { intercept: 0, w: [1, 0, 0] });
    const options = { l2: 1, maxIterations: 50, tolerance: 1e-12 };
    const a = fitLogistic(rows, options);
    const b = fitLogistic(rows, options);
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
    expect(b.intercept).toBe(a.intercept);
  });

  it("keeps a perfectly separating feature finite thanks to the penalty", () => {
    // Feature 0 is on exactly for the positives: without a penalty its weight would run off to infinity.
    const n = 1_000;
    const starts = Int32Array.from({ length: n + 1 }, (_, i) => i);
    const labels = Uint8Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const rows: SparseRows = {
      dimension: 2,
      starts,
      indices: Int32Array.from(labels, (l) => (l ? 0 : 1)),
      values: new Float64Array(n).fill(1),
      labels,
    };
    const fit = fitLogistic(rows, { l2: 1, maxIterations: 100, tolerance: 1e-9 });
    expect(Number.isFinite(fit.weights[0])).toBe(true);
    expect(sigmoid(fit.intercept + (fit.weights[0] as number))).toBeGreaterThan(0.9);
    expect(sigmoid(fit.intercept + (fit.weights[1] as number))).toBeLessThan(0.1);
  });

  it("solves a symmetric positive-definite system and refuses one that is not", () => {
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const x = solveSymmetric(a, Float64Array.from([2, 1, 4]), 3);
    const back = [0, 1, 2].map((i) =>
      [0, 1, 2].reduce((s, j) => s + (a[i * 3 + j] as number) * (x[j] as number), 0),
    );
    expect(back[0]).toBeCloseTo(2, 12);
    expect(back[1]).toBeCloseTo(1, 12);
    expect(back[2]).toBeCloseTo(4, 12);
    expect(() => solveSymmetric(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toThrow(
      /positive definite/,
    );
  });
});

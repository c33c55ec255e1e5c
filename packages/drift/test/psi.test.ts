import { createRng } from "@riskq/synthetic";
import { describe, expect, it } from "vitest";
import { driftReport, emptyWindow, psi, windowOf } from "../src/index";

function beta2(seed: number, n: number, shift = 0): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.min(1, rng.next() * rng.next() + shift));
}

describe("PSI", () => {
  it("is 0 for identical windows, whatever their size", () => {
    const scores = beta2(1, 5_000);
    expect(psi(windowOf(scores), windowOf(scores))).toBeCloseTo(0, 12);
    expect(psi(windowOf(scores), windowOf([...scores, ...scores]))).toBeCloseTo(0, 12);
    expect(driftReport(windowOf(scores), windowOf(scores)).level).toBe("ok");
  });

  it("stays low between two large samples of one distribution", () => {
    expect(psi(windowOf(beta2(2, 20_000)), windowOf(beta2(3, 20_000)))).toBeLessThan(0.01);
  });

  it("exceeds 0.25 when the scores shift by 0.2, and the report says alert", () => {
    const reference = windowOf(beta2(4, 10_000));
    const shifted = windowOf(beta2(5, 10_000, 0.2));
    expect(psi(reference, shifted)).toBeGreaterThan(0.25);
    expect(driftReport(reference, shifted)).toMatchObject({ level: "alert" });
  });

  it("reads a moderate shift as warn", () => {
    const reference = windowOf(beta2(6, 20_000));
    const report = driftReport(reference, windowOf(beta2(7, 20_000, 0.07)));
    expect(report.psi).toBeGreaterThan(0.1);
    expect(report.psi).toBeLessThanOrEqual(0.25);
    expect(report.level).toBe("warn");
  });

  it("stays finite when a bin is empty in one window", () => {
    const value = psi(windowOf([0.05, 0.15, 0.25]), windowOf([0.95, 0.95, 0.95]));
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0.25);
  });

  it("refuses empty windows and bad bin counts", () => {
    expect(() => psi(emptyWindow(), windowOf([0.1]))).toThrow(RangeError);
    expect(() => psi(windowOf([0.1]), emptyWindow())).toThrow(RangeError);
    expect(() => psi(windowOf([0.1]), windowOf([0.1]), 1)).toThrow(RangeError);
  });
});

import type { WindowSummary } from "./window-summary";

/**
 * Floors a canary batch's scores must clear to count as spread. The canary batch is a fixed set of
 * known-diverse items (honest payments and fraud of several patterns); a healthy model scores them
 * apart (the sandbox's healthy model: std about 0.08 over 24 such items, every item a different
 * value), while a flatlined one answers one value (std 0), or values within a hair of each other.
 * std 0.02 is a quarter of that healthy spread, so a merely quieter canary set still passes, and
 * 5 distinct values rule out a model that toggles between two or three constants.
 */
export const CANARY_SPREAD = { minStd: 0.02, minDistinct: 5 } as const;

export interface SpreadOptions {
  minStd?: number;
  minDistinct?: number;
}

/**
 * True when the canary batch's scores are spread (the model still discriminates), which refutes a
 * flatline verdict; false confirms it. Counts distinct values (not a ratio): a canary batch is small.
 */
export function isSpread(canary: WindowSummary, options: SpreadOptions = {}): boolean {
  const minStd = options.minStd ?? CANARY_SPREAD.minStd;
  const minDistinct = options.minDistinct ?? CANARY_SPREAD.minDistinct;
  return canary.std >= minStd && canary.distinct >= minDistinct;
}

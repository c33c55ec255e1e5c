import { SCORE_SCALE, type ScoreWindow } from "./score-window";

/** Number of equal-width bins of [0, 1] the entropy signal is measured over. */
export const ENTROPY_BINS = 20;

/** The statistics the flatline signals read, computed exactly from a window's counts. */
export interface WindowSummary {
  /** Number of scores. */
  n: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Share of the scores that have the single most frequent (rounded) value. */
  topValueShare: number;
  /** Number of distinct rounded values. */
  distinct: number;
  /** distinct / n. */
  distinctRatio: number;
  /** Shannon entropy over `bins20`, divided by ln 20: 0 = one bin holds everything, 1 = uniform. */
  entropy20: number;
  /** Counts per bin [0, 0.05), [0.05, 0.1), …, [0.95, 1]. */
  bins20: number[];
}

/** Bin of a window key among `bins` equal-width bins of [0, 1]; a confidence of exactly 1 goes in the last. */
export function binOf(key: number, bins: number): number {
  return Math.min(bins - 1, Math.floor((key * bins) / SCORE_SCALE));
}

/** Summary of a window; an empty window summarises to zeros (n = 0 never passes a minimum sample). */
export function summarize(window: ScoreWindow): WindowSummary {
  const bins20 = new Array<number>(ENTROPY_BINS).fill(0);
  let n = 0;
  let sum = 0;
  let top = 0;
  for (const [key, count] of window) {
    if (count <= 0) continue;
    n += count;
    sum += key * count;
    if (count > top) top = count;
    bins20[binOf(key, ENTROPY_BINS)]! += count;
  }
  if (n === 0) {
    return { n: 0, mean: 0, std: 0, topValueShare: 0, distinct: 0, distinctRatio: 0, entropy20: 0, bins20 };
  }
  // Two passes over the keys (mean first) keep the variance exact where Σx² − n·mean² would cancel.
  const meanKey = sum / n;
  let squares = 0;
  let distinct = 0;
  for (const [key, count] of window) {
    if (count <= 0) continue;
    distinct += 1;
    squares += count * (key - meanKey) ** 2;
  }
  let entropy = 0;
  for (const count of bins20) {
    if (count === 0) continue;
    const p = count / n;
    entropy -= p * Math.log(p);
  }
  return {
    n,
    mean: meanKey / SCORE_SCALE,
    std: Math.sqrt(squares / n) / SCORE_SCALE,
    topValueShare: top / n,
    distinct,
    distinctRatio: distinct / n,
    entropy20: entropy / Math.log(ENTROPY_BINS),
    bins20,
  };
}

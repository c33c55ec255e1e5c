/**
 * A window of confidence scores kept as counts per value rounded to 4 decimals. The API answers
 * confidences with 4 decimals, so the rounding loses nothing, and every flatline signal (std,
 * top-value share, distinct count, 20-bin entropy) and PSI is exact over it — while a window of any
 * size stays at most 10 001 entries (usually a few hundred), small enough for one Redis hash.
 */

/** Scale of the integer keys: a confidence of 0.1234 is kept under key 1234. */
export const SCORE_SCALE = 10_000;

/** Count of scores per rounded value; keys are integers 0..10 000 (the confidence × 10 000). */
export type ScoreWindow = Map<number, number>;

/** A window with no scores. */
export function emptyWindow(): ScoreWindow {
  return new Map();
}

/** The window key of a confidence: its value × 10 000, rounded. Throws on anything outside [0, 1]. */
export function scoreKey(confidence: number): number {
  if (!Number.isFinite(confidence) || confidence < 0 || confidence > 1) {
    // A confidence outside [0, 1] is a bug upstream, not a model symptom: do not let it skew a window.
    throw new RangeError(`confidence must be a number in [0, 1], got ${confidence}`);
  }
  return Math.round(confidence * SCORE_SCALE);
}

/**
 * Counts one score into `window` and returns the same window. It mutates on purpose: windows are
 * filled score by score (thousands of times in a check), and copying a map per score would dominate.
 */
export function addScore(window: ScoreWindow, confidence: number): ScoreWindow {
  const key = scoreKey(confidence);
  window.set(key, (window.get(key) ?? 0) + 1);
  return window;
}

/** A window holding the given scores. */
export function windowOf(confidences: Iterable<number>): ScoreWindow {
  const window = emptyWindow();
  for (const confidence of confidences) addScore(window, confidence);
  return window;
}

/** A new window with the counts of all given windows added up (the inputs are left untouched). */
export function mergeWindows(...windows: readonly ScoreWindow[]): ScoreWindow {
  const merged = emptyWindow();
  for (const window of windows) {
    for (const [key, count] of window) merged.set(key, (merged.get(key) ?? 0) + count);
  }
  return merged;
}

/** Number of scores in a window. */
export function windowSize(window: ScoreWindow): number {
  let n = 0;
  for (const count of window.values()) n += count;
  return n;
}

export interface BackoffOptions {
  /** The ceiling of the first retry's delay (default 500 ms). */
  baseMs?: number;
  /** The ceiling never grows beyond this (default 60 s). */
  capMs?: number;
}

/**
 * Exponential backoff with full jitter: a uniformly random delay below
 * `min(capMs, baseMs * 2^(attempt-1))`. Full jitter spreads the retries of a whole failed batch
 * (up to 100 jobs failing together) instead of bringing them back at the same instant.
 *
 * @param attempt 1 for the first retry; values below 1 count as 1.
 * @param random a source of numbers in [0, 1) (tests pass a fixed one).
 * @returns whole milliseconds in [0, ceiling).
 */
export function backoffMs(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const baseMs = options.baseMs ?? 500;
  const capMs = options.capMs ?? 60_000;
  const ceiling = Math.min(capMs, baseMs * 2 ** (Math.max(1, attempt) - 1));
  return Math.floor(random() * ceiling);
}

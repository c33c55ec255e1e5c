/**
 * How long past the latest deadline a waiter still waits: the worker decides every job by its
 * deadline, then the decision has to be written and seen by the next poll (≤ 200 ms apart).
 */
const DEADLINE_GRACE_MS = 250;

/**
 * The wait a request gets: its `wait_ms`, but no longer than the latest `deadline_at` of its jobs
 * plus a grace. Every job is decided by its deadline, so a job still undecided then means something
 * is wrong (workers down, Redis slow): answering 202 at once lets the caller act, where holding it to
 * a 10-s `wait_ms` would only make its own timeout fire first. Deadlines already past give 0 (a
 * duplicate of an old job is answered as it stands).
 */
export function waitBudgetMs(
  waitMs: number,
  deadlinesAt: readonly number[],
  now: number,
  graceMs = DEADLINE_GRACE_MS,
): number {
  if (deadlinesAt.length === 0) return waitMs;
  const latest = Math.max(...deadlinesAt);
  return Math.max(0, Math.min(waitMs, latest + graceMs - now));
}

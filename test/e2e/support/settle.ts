import { setTimeout as sleep } from "node:timers/promises";
import type { DeadLetterQueue, ScoreQueue } from "@riskq/pipeline";

/** Job counts of the `score` queue, plus the dead letters written so far. */
export interface QueueCounts {
  completed: number;
  failed: number;
  waiting: number;
  active: number;
  delayed: number;
  prioritized: number;
  deadLetters: number;
}

/** One consistent-enough snapshot of where the jobs are. */
export async function queueCounts(queue: ScoreQueue, dead: DeadLetterQueue): Promise<QueueCounts> {
  const [counts, deadCounts] = await Promise.all([
    queue.getJobCounts("completed", "failed", "waiting", "active", "delayed", "prioritized"),
    dead.getJobCounts("waiting"),
  ]);
  return {
    completed: counts.completed ?? 0,
    failed: counts.failed ?? 0,
    waiting: counts.waiting ?? 0,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    prioritized: counts.prioritized ?? 0,
    deadLetters: deadCounts.waiting ?? 0,
  };
}

export function formatCounts(c: QueueCounts): string {
  return (
    `completed ${c.completed}, failed ${c.failed} (dead letters ${c.deadLetters}), ` +
    `waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, prioritized ${c.prioritized}`
  );
}

export interface WaitOptions {
  /** Give up after this long and fail with the counts (default 60 s). */
  timeoutMs?: number;
  pollMs?: number;
  /** Called on every poll, e.g. to print progress. */
  onPoll?: (counts: QueueCounts) => void;
  /** More state for the failure message (e.g. the rate limiter's), read only when the time is up. */
  explain?: () => Promise<string>;
}

/**
 * Polls until `expected` jobs have ended — completed, or failed with their dead letter written — and
 * nothing is left waiting, active or delayed. Throws with the last counts when the time is up: a job
 * that never ends is exactly the bug these tests look for.
 */
export async function waitUntilSettled(
  queue: ScoreQueue,
  dead: DeadLetterQueue,
  expected: number,
  options: WaitOptions = {},
): Promise<QueueCounts> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const counts = await queueCounts(queue, dead);
    options.onPoll?.(counts);
    const ended = counts.completed + counts.failed;
    const inFlight = counts.waiting + counts.active + counts.delayed + counts.prioritized;
    if (ended >= expected && inFlight === 0 && counts.deadLetters >= counts.failed) return counts;
    if (Date.now() >= deadline) {
      const more = options.explain ? `\n${await options.explain().catch((e: Error) => e.message)}` : "";
      throw new Error(`jobs did not settle: expected ${expected} ended, have ${formatCounts(counts)}${more}`);
    }
    await sleep(options.pollMs ?? 250);
  }
}

/** Polls until at least `count` jobs have completed (to inject a fault part-way through a run). */
export async function waitUntilCompleted(
  queue: ScoreQueue,
  count: number,
  options: Pick<WaitOptions, "timeoutMs" | "explain"> = {},
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const completed = await queue.getCompletedCount();
    if (completed >= count) return completed;
    if (Date.now() >= deadline) {
      const more = options.explain ? `\n${await options.explain().catch((e: Error) => e.message)}` : "";
      throw new Error(`only ${completed} of ${count} jobs completed within ${timeoutMs} ms${more}`);
    }
    await sleep(100);
  }
}

import { setTimeout as sleep } from "node:timers/promises";
import { isFinal, type JobView } from "./job-view";

/** The longest `?wait_ms` accepted. */
export const MAX_WAIT_MS = 10_000;

const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 200;

/**
 * Waits until every job is completed or dead, or the budget is spent, re-reading only the jobs
 * still running. Short polling rather than QueueEvents: it needs no extra blocking connection per
 * API process, fails fast like every other command when Redis is down, and cannot miss an event
 * that happened before it started listening. Intervals grow from 20 ms to 200 ms, so a quick job
 * is answered quickly and a slow batch costs little.
 */
export async function waitForOutcomes(
  views: readonly JobView[],
  budgetMs: number,
  read: (id: string) => Promise<JobView | undefined>,
): Promise<JobView[]> {
  const current = [...views];
  const deadline = performance.now() + budgetMs;
  let interval = FIRST_POLL_MS;
  for (;;) {
    const running = current.flatMap((view, index) => (isFinal(view.status) ? [] : [index]));
    const left = deadline - performance.now();
    if (running.length === 0 || left <= 0) return current;
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * 2, MAX_POLL_MS);
    const fresh = await Promise.all(running.map((index) => read(current[index]!.id)));
    running.forEach((index, i) => {
      const view = fresh[i];
      // A job read back as gone keeps its last view; `duplicate` is a fact of the submission.
      if (view) current[index] = { ...view, duplicate: current[index]!.duplicate };
    });
  }
}

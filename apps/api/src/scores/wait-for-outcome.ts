import { setTimeout as sleep } from "node:timers/promises";
import { isFinal, type JobView } from "./job-view";

/** The longest `?wait_ms` accepted. */
export const MAX_WAIT_MS = 10_000;

const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 200;
/** Past the first deadline decisions are due at any moment: poll this often (a few polls at most). */
const DUE_POLL_MS = 25;

/** Reads fresh views of these running jobs, in order (undefined for a job gone meanwhile). */
export type RefreshViews = (running: readonly JobView[]) => Promise<Array<JobView | undefined>>;

/**
 * Waits until every job is completed or dead, the budget is spent, or `signal` aborts (the caller
 * went away), re-reading only the jobs still running.
 *
 * Why polling, with ONE round trip per poll for the whole batch (`refresh` is one Lua script over
 * all running jobs, see job-snapshots.ts), rather than a shared QueueEvents subscription: it needs
 * no extra blocking connection per API process, fails fast like every other command when Redis is
 * down (503, where a stalled XREAD would leave waiters hanging until their budget), and cannot miss
 * an event that happened before it started listening or while a stream was trimmed. Its cost no
 * longer grows with the batch in round trips, only in the keys one script reads. Intervals grow
 * from 20 ms to 200 ms, so a quick job is answered quickly and a slow batch costs little; one poll
 * falls just after `decidedBy` (epoch ms: the earliest deadline, when workers decide a job at the
 * latest) and every 25 ms after it, so a decision made at the deadline reaches the caller with it.
 */
export async function waitForOutcomes(
  views: readonly JobView[],
  budgetMs: number,
  refresh: RefreshViews,
  signal?: AbortSignal,
  decidedBy?: number,
): Promise<JobView[]> {
  const current = [...views];
  const deadline = performance.now() + budgetMs;
  let interval = FIRST_POLL_MS;
  for (;;) {
    const running = current.flatMap((view, index) => (isFinal(view.status) ? [] : [index]));
    const left = deadline - performance.now();
    if (running.length === 0 || left <= 0 || signal?.aborted) return current;
    try {
      const untilDue = decidedBy === undefined ? Number.POSITIVE_INFINITY : decidedBy - Date.now();
      const nap = untilDue > 0 ? Math.min(interval, untilDue + 5) : Math.min(interval, DUE_POLL_MS);
      await sleep(Math.min(nap, left), undefined, signal ? { signal } : {});
    } catch {
      return current; // aborted: nobody is left to answer
    }
    interval = Math.min(interval * 2, MAX_POLL_MS);
    const fresh = await refresh(running.map((index) => current[index]!));
    running.forEach((index, i) => {
      const view = fresh[i];
      // A job read back as gone keeps its last view.
      if (view) current[index] = view;
    });
  }
}

import { isFinal, type JobView } from "./job-view";
import type { WatchEnds } from "./outcome-wakeups";

/** The longest `?wait_ms` accepted. */
export const MAX_WAIT_MS = 10_000;

/** How often a wait re-reads its jobs: intervals grow from `firstMs` to `maxMs`. */
interface PollIntervals {
  firstMs: number;
  maxMs: number;
  /** Past the first deadline decisions are due at any moment: poll this often (a few polls at most). */
  dueMs: number;
}

/** Without wake-ups every answer waits for a poll: keep them close. */
const POLLS_ALONE: PollIntervals = { firstMs: 20, maxMs: 200, dueMs: 25 };
/** With wake-ups a poll only catches what events missed: spread them, sparing Redis. */
const POLLS_BEHIND_WAKEUPS: PollIntervals = { firstMs: 20, maxMs: 1_000, dueMs: 25 };

export interface WaitOptions {
  /** The caller went away: stop at once. */
  signal?: AbortSignal | undefined;
  /** Epoch ms of the earliest deadline, when workers decide a job at the latest. */
  decidedBy?: number | undefined;
  /** Wakes the wait when one of its jobs ends (the API's OutcomeWakeups); without it, polls alone. */
  watch?: WatchEnds | undefined;
  polls?: PollIntervals;
}

/** Reads fresh views of these running jobs, in order (undefined for a job gone meanwhile). */
export type RefreshViews = (running: readonly JobView[]) => Promise<Array<JobView | undefined>>;

/**
 * Waits until every job is completed or dead, the budget is spent, or `signal` aborts (the caller
 * went away), re-reading only the jobs still running.
 *
 * Each read is ONE round trip for the whole batch (`refresh` is one Lua script over all running
 * jobs, see job-snapshots.ts). A read happens when `watch` reports one of the jobs ended (an event
 * from the API's single event reader, outcome-events.ts), or when a poll is due: intervals grow from
 * `firstMs` to `maxMs`, one poll falls just after `decidedBy` and every `dueMs` after it. Polls are
 * kept under the events because they fail fast like every other command when Redis is down (503,
 * where a stalled XREAD would leave waiters hanging) and cannot miss an event that happened before
 * the wait began or while the stream was unreachable.
 */
export async function waitForOutcomes(
  views: readonly JobView[],
  budgetMs: number,
  refresh: RefreshViews,
  options: WaitOptions = {},
): Promise<JobView[]> {
  const { signal, decidedBy, watch } = options;
  const polls = options.polls ?? (watch ? POLLS_BEHIND_WAKEUPS : POLLS_ALONE);
  const current = [...views];
  const deadline = performance.now() + budgetMs;
  let interval = polls.firstMs;
  for (;;) {
    const running = current.flatMap((view, index) => (isFinal(view.status) ? [] : [index]));
    const left = deadline - performance.now();
    if (running.length === 0 || left <= 0 || signal?.aborted) return current;
    const untilDue = decidedBy === undefined ? Number.POSITIVE_INFINITY : decidedBy - Date.now();
    const nap = untilDue > 0 ? Math.min(interval, untilDue + 5) : Math.min(interval, polls.dueMs);
    const ids = running.map((index) => current[index]!.id);
    if ((await napOrWake(Math.min(nap, left), ids, signal, watch)) === "aborted") return current;
    interval = Math.min(interval * 2, polls.maxMs);
    const fresh = await refresh(running.map((index) => current[index]!));
    running.forEach((index, i) => {
      const view = fresh[i];
      // A job read back as gone keeps its last view.
      if (view) current[index] = view;
    });
  }
}

/** Sleeps `ms`, less if one of `ids` ends first; "aborted" when the caller went away. */
function napOrWake(
  ms: number,
  ids: readonly string[],
  signal: AbortSignal | undefined,
  watch: WatchEnds | undefined,
): Promise<"slept" | "woken" | "aborted"> {
  return new Promise((resolve) => {
    let unwatch: (() => void) | undefined;
    const end = (how: "slept" | "woken" | "aborted") => {
      clearTimeout(timer);
      unwatch?.();
      signal?.removeEventListener("abort", onAbort);
      resolve(how);
    };
    const onAbort = () => end("aborted");
    const timer = setTimeout(() => end("slept"), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
    unwatch = watch?.(ids, () => end("woken"));
  });
}

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
 * jobs, see job-snapshots.ts). A read happens once `watch` has reported every running job ended (an
 * event from the API's single event reader, outcome-events.ts), or when a poll is due: intervals grow
 * from `firstMs` to `maxMs`, one poll falls just after `decidedBy` and every `dueMs` after it.
 *
 * Every job, not the first: the answer waits for all of them anyway, and a batch of a thousand
 * re-read at each of its jobs' ends cost about 18 reads of some 650 jobs each (a 1 000-item
 * `wait_ms` request, measured with MONITOR) while its jobs finished over a second or two — the API's
 * CPU and Redis's, taken from every other caller when a merchant's burst arrives. The watch lasts the
 * whole wait, so an end reported while a read is under way is not lost; a job reported ended that a
 * read finds running (the event was of an earlier run under the same id, a dead job redriven) is
 * watched for its next end.
 *
 * Polls are kept under the events because they fail fast like every other command when Redis is
 * down (503, where a stalled XREAD would leave waiters hanging) and cannot miss an event that
 * happened before the wait began or while the stream was unreachable.
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
  const ends = new ReportedEnds();
  const unwatch = watch?.(
    views.map((view) => view.id),
    (jobId) => ends.report(jobId),
  );
  try {
    let interval = polls.firstMs;
    for (;;) {
      const running = current.flatMap((view, index) => (isFinal(view.status) ? [] : [index]));
      const left = deadline - performance.now();
      if (running.length === 0 || left <= 0 || signal?.aborted) return current;
      const untilDue = decidedBy === undefined ? Number.POSITIVE_INFINITY : decidedBy - Date.now();
      const nap = untilDue > 0 ? Math.min(interval, untilDue + 5) : Math.min(interval, polls.dueMs);
      const ids = running.map((index) => current[index]!.id);
      if ((await ends.napUntilAllEnded(ids, Math.min(nap, left), signal)) === "aborted") return current;
      interval = Math.min(interval * 2, polls.maxMs);
      const readFrom = ends.mark();
      const fresh = await refresh(running.map((index) => current[index]!));
      running.forEach((index, i) => {
        const view = fresh[i];
        // A job read back as gone keeps its last view.
        if (view) current[index] = view;
      });
      // Ends reported before this read of jobs it found running were no ends of theirs: watch for the next.
      ends.forgetBefore(
        readFrom,
        running.flatMap((index) => (isFinal(current[index]!.status) ? [] : [current[index]!.id])),
      );
    }
  } finally {
    unwatch?.();
  }
}

/** The jobs of one wait reported ended, and the nap that ends once all those it names are. */
class ReportedEnds {
  /** Job id → the report's sequence number. */
  private readonly reported = new Map<string, number>();
  private sequence = 0;
  /** The running nap: the ids it still waits on (a report removes one, so each costs O(1)). */
  private waking: { unreported: Set<string>; wake: () => void } | undefined;

  report(jobId: string): void {
    this.reported.set(jobId, ++this.sequence);
    if (this.waking?.unreported.delete(jobId) && this.waking.unreported.size === 0) this.waking.wake();
  }

  /** The sequence number reports after this moment get. */
  mark(): number {
    return this.sequence;
  }

  /** Drops the reports of `ids` made up to `mark` (a read since showed them running). */
  forgetBefore(mark: number, ids: readonly string[]): void {
    for (const id of ids) {
      const at = this.reported.get(id);
      if (at !== undefined && at <= mark) this.reported.delete(id);
    }
  }

  /** Sleeps `ms`, less once every one of `ids` was reported ended; "aborted" when the caller went away. */
  napUntilAllEnded(
    ids: readonly string[],
    ms: number,
    signal: AbortSignal | undefined,
  ): Promise<"slept" | "woken" | "aborted"> {
    const unreported = new Set(ids.filter((id) => !this.reported.has(id)));
    if (unreported.size === 0) return Promise.resolve("woken");
    return new Promise((resolve) => {
      const end = (how: "slept" | "woken" | "aborted") => {
        clearTimeout(timer);
        this.waking = undefined;
        signal?.removeEventListener("abort", onAbort);
        resolve(how);
      };
      const onAbort = () => end("aborted");
      const timer = setTimeout(() => end("slept"), ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waking = { unreported, wake: () => end("woken") };
    });
  }
}

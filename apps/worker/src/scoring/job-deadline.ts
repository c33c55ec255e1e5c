import { setTimeout as sleep } from "node:timers/promises";

/**
 * The instant a job must be decided by (its deadline less the decision margin), as a signal that
 * aborts then — handed to the batch the job waits in and to every in-process wait — and the checks
 * that keep a step from starting work whose answer cannot arrive before it.
 */
export function startJobDeadline(decideAt: number, now: () => number) {
  const abort = new AbortController();
  const left = decideAt - now();
  const timer = left > MAX_TIMER_MS ? undefined : setTimeout(() => abort.abort(), Math.max(0, left));
  return {
    decideAt,
    signal: abort.signal,
    /** Whether an attempt starting at `startAt` and taking `callMs` still answers before the deadline. */
    fits: (startAt: number, callMs: number): boolean => startAt + callMs < decideAt,
    /** Close enough that a wait is better spent in this process than in BullMQ's delayed set. */
    near: (): boolean => decideAt - now() <= IN_PROCESS_WAIT_MS,
    /** Sleeps `ms`; false when the deadline came first. */
    async wait(ms: number): Promise<boolean> {
      if (abort.signal.aborted) return false;
      return sleep(ms, true, { signal: abort.signal }).catch(() => false);
    },
    dispose(): void {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** setTimeout's limit; a deadline further away is checked at each step instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Deadlines within this much are waited out in the process (the job keeps its lock and its place in
 * its merchant's batch order); further ones wait in BullMQ's delayed set as before, spending no slot.
 */
const IN_PROCESS_WAIT_MS = 30_000;

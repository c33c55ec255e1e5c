import type { WithdrawSignal } from "@riskq/pipeline";

/**
 * The instant a job must be decided by (its deadline less the decision margin), as a signal that
 * aborts then — handed to the batch the job waits in and to every in-process wait — and the checks
 * that keep a step from starting work whose answer cannot arrive before it.
 *
 * One is made per job on the worker's hot path, so the signal is a plain object with one timer
 * rather than an AbortController (whose EventTarget costs several microseconds to build; bench:
 * pipeline.ts).
 */
export function startJobDeadline(decideAt: number, now: () => number) {
  const signal = new DeadlineSignal();
  const left = decideAt - now();
  const timer = left > MAX_TIMER_MS ? undefined : setTimeout(() => signal.fire(), Math.max(0, left));
  return {
    decideAt,
    signal: signal as WithdrawSignal,
    /** Whether an attempt starting at `startAt` and taking `callMs` still answers before the deadline. */
    fits: (startAt: number, callMs: number): boolean => startAt + callMs < decideAt,
    /** Close enough that a wait is better spent in this process than in BullMQ's delayed set. */
    near: (): boolean => decideAt - now() <= IN_PROCESS_WAIT_MS,
    /** Sleeps `ms`; false when the deadline came first. */
    wait(ms: number): Promise<boolean> {
      if (signal.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const woken = setTimeout(() => {
          signal.removeEventListener("abort", cut);
          resolve(true);
        }, ms);
        const cut = () => {
          clearTimeout(woken);
          resolve(false);
        };
        signal.addEventListener("abort", cut);
      });
    },
    dispose(): void {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** Aborted once, at the deadline; its listeners are told then, in the order they were added. */
class DeadlineSignal implements WithdrawSignal {
  aborted = false;
  private listeners: Array<() => void> = [];

  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }

  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}

/** setTimeout's limit; a deadline further away is checked at each step instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Deadlines within this much are waited out in the process (the job keeps its lock and its place in
 * its merchant's batch order); further ones wait in BullMQ's delayed set as before, spending no slot.
 */
const IN_PROCESS_WAIT_MS = 30_000;

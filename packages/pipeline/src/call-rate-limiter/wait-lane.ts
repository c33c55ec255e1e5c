import { setTimeout as sleep } from "node:timers/promises";

/** The longest sleep between two attempts: a long wait (a very low rate) still looks again now and then. */
export const MAX_NAP_MS = 1_000;

/** A lane whose attempts have not been refused for this long lets callers ask at once (`atOnce`). */
const FREE_AFTER_MS = 1_000;

/**
 * A waiter's place in line, lower first: a number, or a function read each time the line is ordered
 * (a priority that changes while its caller waits).
 */
export type Priority = number | (() => number);

/** One attempt's answer: the value, or how long to wait before asking again. */
export type Attempt<T> = { value: T } | { waitMs: number };

interface Waiter<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
  /** Lower goes first; +Infinity for callers that gave none. */
  priority: Priority;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

/**
 * A local queue in front of a shared resource, served earliest deadline first: the waiter with the
 * lowest priority is granted next, equal priorities in arrival order, waiters without one after
 * every prioritized waiter. Only the head asks (`attempt`, told the head's priority so the shared
 * side can order the heads of several processes), and between refusals it sleeps the wait it was
 * told. A hundred callers in one process thus cost one Redis round trip per grant, not a hundred,
 * and nobody busy-spins. While calls are free (no refusal for `freeAfterMs`), callers skip the
 * line and ask at once, side by side.
 *
 * The queue is a plain array scanned for the head: it holds the batches of one process waiting for
 * a call (tens), and a grant happens a few times a second, so a heap would buy nothing.
 */
export class WaitLane<T> {
  private readonly queue: Waiter<T>[] = [];
  private pumping = false;
  /** Cuts the pump's sleep short when nobody is left waiting. */
  private nap: AbortController | undefined;

  /** Whether the pump's last attempt ended in a grant (then the shared claim is already gone). */
  private lastGranted = false;
  /** When an attempt was last refused (performance.now()). */
  private lastRefusedAt = Number.NEGATIVE_INFINITY;

  /**
   * @param onIdle told when the lane empties without a grant (its callers gave up): a place in a
   *   shared line held for them must be given up at once, not left to lapse while others wait on it.
   */
  constructor(
    private readonly attempt: (priority: number) => Promise<Attempt<T>>,
    private readonly onIdle?: () => void,
    /** Callers ask at once, not in line, while no attempt has been refused for this long. */
    private readonly freeAfterMs = FREE_AFTER_MS,
  ) {}

  /**
   * Resolves with the value once an attempt succeeds for this caller: at once while calls are free
   * (no attempt refused within `freeAfterMs`), else once it is the head (lowest priority).
   */
  wait(options: { signal?: AbortSignal | undefined; priority?: Priority | undefined } = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const priority = options.priority ?? Number.POSITIVE_INFINITY;
    if (typeof priority === "number" && Number.isNaN(priority)) {
      return Promise.reject(new TypeError("priority must be a number, not NaN"));
    }
    return this.scarce() ? this.enqueue(priority, signal) : this.atOnce(priority, signal);
  }

  /**
   * Whether callers must wait in line: some already do (a long nap may outlast `freeAfterMs`, and a
   * newcomer must not overtake them), or an attempt was refused within the last `freeAfterMs`.
   */
  scarce(): boolean {
    return this.queue.length > 0 || performance.now() - this.lastRefusedAt < this.freeAfterMs;
  }

  /**
   * Calls are free: this caller asks now, beside the others, rather than behind one round trip
   * each — a queue would only add delay when everybody is granted anyway. A refusal ends that: it
   * joins the queue, and so does every caller after it until calls are free again.
   */
  private async atOnce(priority: Priority, signal: AbortSignal | undefined): Promise<T> {
    const result = await this.attempt(priorityNow(priority));
    if ("value" in result) {
      if (!signal?.aborted) return result.value;
      // Given up meanwhile: the grant goes to whoever waits (else the permit simply goes unused).
      const taker = this.head()?.waiter;
      if (taker) this.settle(taker, () => taker.resolve(result.value));
      throw signal.reason;
    }
    this.lastRefusedAt = performance.now();
    if (signal?.aborted) throw signal.reason;
    return this.enqueue(priority, signal);
  }

  private enqueue(priority: Priority, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        priority,
        signal,
        onAbort: undefined,
        done: false,
      };
      if (signal) {
        waiter.onAbort = () => {
          this.settle(waiter, () => reject(signal.reason));
          // The head may be gone: ask again now, with the priority of whoever leads the lane now.
          this.nap?.abort();
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const head = this.head();
        if (head === undefined) break;
        const { waiter } = head;
        let result: Attempt<T>;
        this.lastGranted = false;
        try {
          result = await this.attempt(head.value);
        } catch (error) {
          this.settle(waiter, () => waiter.reject(error));
          continue;
        }
        if ("value" in result) {
          // The head at grant time takes it: the one that asked may have aborted meanwhile, or a
          // waiter with an earlier deadline may have arrived; either way the grant is not wasted.
          const taker = this.head()?.waiter;
          this.lastGranted = true;
          if (taker) this.settle(taker, () => taker.resolve(result.value));
          continue;
        }
        this.lastRefusedAt = performance.now();
        this.nap = new AbortController();
        await sleep(Math.min(MAX_NAP_MS, Math.max(1, Math.ceil(result.waitMs))), undefined, {
          signal: this.nap.signal,
        }).catch(() => undefined);
        this.nap = undefined;
      }
    } finally {
      this.pumping = false;
      if (!this.lastGranted) this.onIdle?.();
    }
  }

  /**
   * The live waiter with the lowest priority (as it stands now), and that priority; the queue is in
   * arrival order and only a strictly lower priority displaces the best so far, so equal priorities
   * stay first come, first served.
   */
  private head(): { waiter: Waiter<T>; value: number } | undefined {
    let best: { waiter: Waiter<T>; value: number } | undefined;
    for (const waiter of this.queue) {
      if (waiter.done) continue;
      const value = priorityNow(waiter.priority);
      if (best === undefined || value < best.value) best = { waiter, value };
    }
    return best;
  }

  private settle(waiter: Waiter<T>, action: () => void): void {
    if (waiter.done) return;
    waiter.done = true;
    if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    const index = this.queue.indexOf(waiter);
    if (index >= 0) this.queue.splice(index, 1);
    if (this.queue.length === 0) this.nap?.abort();
    action();
  }
}

/** A priority as it stands now; a function that answers NaN counts as no priority. */
function priorityNow(priority: Priority): number {
  const value = typeof priority === "function" ? priority() : priority;
  return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
}

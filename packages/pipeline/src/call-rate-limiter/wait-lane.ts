import { setTimeout as sleep } from "node:timers/promises";

const MAX_NAP_MS = 1_000;

/** One attempt's answer: the value, or how long to wait before asking again. */
export type Attempt<T> = { value: T } | { waitMs: number };

interface Waiter<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

/**
 * A local first-come-first-served queue in front of a shared resource: only the head of the queue
 * asks (`attempt`), and between refusals it sleeps the wait it was told. A hundred callers in one
 * process thus cost one Redis round trip per grant, not a hundred, and nobody busy-spins.
 */
export class WaitLane<T> {
  private readonly queue: Waiter<T>[] = [];
  private pumping = false;
  /** Cuts the pump's sleep short when nobody is left waiting. */
  private nap: AbortController | undefined;

  constructor(private readonly attempt: () => Promise<Attempt<T>>) {}

  /** Resolves with the value once this caller reaches the head and an attempt succeeds. */
  wait(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, signal, onAbort: undefined, done: false };
      if (signal) {
        waiter.onAbort = () => this.settle(waiter, () => reject(signal.reason));
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
        const head = this.queue.find((w) => !w.done);
        if (head === undefined) break;
        let result: Attempt<T>;
        try {
          result = await this.attempt();
        } catch (error) {
          this.settle(head, () => head.reject(error));
          continue;
        }
        if ("value" in result) {
          // An aborted head gives its grant to the next caller rather than wasting it.
          const taker = this.queue.find((w) => !w.done);
          if (taker) this.settle(taker, () => taker.resolve(result.value));
          continue;
        }
        // Capped, so a long wait (a very low rate) still looks again now and then.
        this.nap = new AbortController();
        await sleep(Math.min(MAX_NAP_MS, Math.max(1, Math.ceil(result.waitMs))), undefined, {
          signal: this.nap.signal,
        }).catch(() => undefined);
        this.nap = undefined;
      }
    } finally {
      this.pumping = false;
    }
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

/**
 * Batching across worker processes. BullMQ hands a merchant's jobs to whichever worker asks first, so
 * with N workers every (merchant, task, model) key has up to N half-empty batches competing for the
 * same call permits: under a rate limit each waits N times as long. The exchange lets one process at
 * a time *lead* a key: it waits for the permit, then takes the items the other processes handed over
 * meanwhile and sends them in its own call. The other processes still own their jobs (BullMQ locks
 * stay where they are); they only wait for the leader's answer.
 *
 * Nothing can be lost to it: an item the leader could not score comes back as `RETURNED` and its
 * owner scores it itself, and an owner that hears nothing (a leader that died) takes its items back
 * after a while — at worst an item is scored twice, never not at all.
 */

/** What an owner gets for an item the leader did not score (a failed call, an unanswered item). */
export const RETURNED: unique symbol = Symbol("returned");
export type Returned = typeof RETURNED;

/** An item another process handed over, as its leader sees it. */
export interface HandedItem<I> {
  readonly item: I;
  /** Unique across processes; names the item in the answer. */
  readonly id: string;
  /** The process waiting for the answer. */
  readonly owner: string;
}

/** The lead of one key, held by this process until it gives it up or loses it (a long stall). */
export interface BatchLease<I> {
  /**
   * Takes up to `max` handed items, oldest first. `release: "if-empty"` gives the lead up when no
   * handed item is left (atomically, so no hand-off can slip in unseen); `"always"` gives it up in
   * any case (shutting down: owners take their items back). `leading` says whether it is still ours.
   */
  take(
    max: number,
    release: "keep" | "if-empty" | "always",
  ): Promise<{ items: HandedItem<I>[]; leading: boolean }>;
  /**
   * Before the leader asks for its next permit: the oldest handed item still waiting, whose deadline
   * orders that ask among every other batch's. `releaseIfEmpty` gives the lead up when none waits
   * (atomically, as `take` does), for a leader with nothing of its own to send: a permit is not
   * spent on an empty call. `leading` says whether the lead is still ours.
   */
  peek(releaseIfEmpty: boolean): Promise<{ oldest: I | undefined; leading: boolean }>;
  /** Gives the lead up (if still ours). */
  release(): Promise<void>;
}

export interface BatchExchange<I, R> {
  /** Leads `key` from now, or undefined when another process already does. */
  lead(key: string): Promise<BatchLease<I> | undefined>;
  /**
   * Hands items to the process leading `key`: undefined when none does (nothing was handed), else
   * one promise per item, settling with the leader's result or `RETURNED`.
   */
  handOff(key: string, items: readonly I[]): Promise<Array<Promise<R | Returned>> | undefined>;
  /** Sends the leader's outcomes to the owners; an `Error` outcome returns the item to its owner. */
  answer(handed: readonly HandedItem<I>[], outcomes: ReadonlyArray<R | Error | Returned>): Promise<void>;
  /** Stops listening; items still handed out come back as `RETURNED`. */
  close(): Promise<void>;
}

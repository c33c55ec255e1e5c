import type { BatchExchange } from "./batch-exchange";

/**
 * What one batch call answers: one entry per item, in the order the items were given. An `Error`
 * entry fails only that item's submitter (e.g. a `SilentDrop` for an unanswered item); any other
 * value resolves it. `R` must therefore not itself be an `Error`.
 */
export type BatchOutcomes<R> = ReadonlyArray<R | Error>;

export interface MicroBatcherOptions<I, R, G = undefined> {
  /** Items with the same key share a batch, e.g. `${merchant}|${task}|${modelVersion}`. */
  keyOf(item: I): string;
  /**
   * The most items one batch of this key may hold. Asked again at every submit and flush, because
   * the learned cap can drop (a `BatchTruncated` answer); values below 1 count as 1.
   */
  cap(key: string): number;
  /** How long the first item of a batch waits for company before the batch goes out anyway. */
  lingerMs: number;
  /**
   * Sends one batch (one remote call). Throwing or rejecting fails every item of the batch with
   * that error; otherwise each item gets its own outcome.
   */
  flush(key: string, items: readonly I[], ticket: G): Promise<BatchOutcomes<R>>;
  /**
   * Optional: what a due batch must obtain before it is sent (e.g. a rate-limiter permit). While it
   * waits, the batch keeps filling up to its cap, so a throttled remote gets full batches rather than
   * many small ones. Its value is handed to `flush`; a rejection fails the items it would have sent.
   * `context.deadline` is the earliest deadline among the batch's own waiting items (with
   * `deadlineOf`; +Infinity without), so the gate can serve the most urgent batch first, and
   * `context.deadlineNow()` the same as the batch stands while it waits; `context.signal` aborts
   * once every item of the batch was withdrawn (nothing left to send).
   */
  gate?(key: string, context: GateContext): Promise<G>;
  /** Optional: an item's deadline (epoch ms), for the gate's order and `minTimeLeftMs`. */
  deadlineOf?(item: I): number;
  /**
   * Optional, with `deadlineOf`: when a batch is about to be sent, items with less time left than
   * this are withdrawn instead (`ItemWithdrawn`): a call whose answer cannot arrive in time is not
   * worth its permit or its bill. Asked at every send (e.g. the recent median call time).
   */
  minTimeLeftMs?(): number;
  /** Clock of the deadlines (default Date.now). */
  now?(): number;
  /**
   * Optional: the most items the batcher can ever hold at once (with BullMQ, the worker's
   * concurrency). Once that many wait in batches — none in flight, whose answers would free slots —
   * no further item can arrive, so lingering would only add latency: every waiting batch is sent.
   */
  maxHeld?: number | undefined;
  /**
   * Optional, with `gate`: batches of one key are merged across processes — one process leads the
   * key, waits for the permit and sends what the others handed it (see batch-exchange.ts). Items
   * and outcomes must then survive JSON.
   */
  exchange?: BatchExchange<I, R>;
}

/** What a gate is told about the batch waiting for it. */
export interface GateContext {
  /** The earliest deadline (epoch ms) among the batch's waiting items; +Infinity when unknown. */
  deadline: number;
  /**
   * The earliest deadline among the items the batch would send now (up to its cap). It changes
   * while the batch waits: items whose deadline passed are withdrawn and leave, new ones join. A
   * gate that orders batches by deadline reads this, not `deadline`: a batch kept the deadline of
   * items long gone and, already late, went ahead of every batch that could still make it.
   */
  deadlineNow(): number;
  /** Aborts once the batch has nothing left to send. */
  signal: AbortSignal;
}

/**
 * What `submit` needs of a signal. An AbortSignal is one; so is a job's deadline in the worker, made
 * without an AbortController because one is made for every job and Node's cost several microseconds.
 */
export interface WithdrawSignal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

export interface MicroBatcher<I, R> {
  /**
   * Adds an item to its key's batch; settles with that item's own outcome once the batch is sent.
   * When `signal` aborts first the submit rejects with `ItemWithdrawn` at once: an item not yet sent
   * leaves its batch; one in flight keeps its place in the call, its outcome dropped.
   */
  submit(item: I, options?: { signal?: WithdrawSignal }): Promise<R>;
  /** Sends every pending batch now and waits until all batches in flight have settled. */
  drain(): Promise<void>;
  /** Items submitted and not yet settled: waiting in a batch, or in a call in flight. */
  held(): number;
  /** Refuses new items, then drains: graceful shutdown ("stop fetching, flush batches"). Idempotent. */
  close(): Promise<void>;
}

/** Raised by `submit` once the batcher is closed: the caller should leave the job for another worker. */
export class BatcherClosedError extends Error {
  readonly code = "batcher_closed";

  constructor() {
    super("the micro-batcher is closed and accepts no new items");
    this.name = "BatcherClosedError";
  }
}

// The batcher's own bookkeeping (micro-batcher.ts), not part of the package's API.

/** One submitted item, as the batcher holds it until its outcome is known. */
export interface Waiting<I, R> {
  item: I;
  /** Sent in a call (its own process's or, handed over, a leader's): withdrawing it no longer unsends it. */
  sent: boolean;
  /** Its submitter gave up on it: never sent from now on, its outcome dropped. */
  withdrawn: boolean;
  /** When it was submitted (performance.now()): a rest left behind lingers only what is left of it. */
  since: number;
  resolve(result: R): void;
  reject(error: Error): void;
}

/** A key's batch that has not left yet. */
export interface PendingBatch<I, R> {
  waiting: Waiting<I, R>[];
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Due and waiting for its gate; items still join it until the gate opens. */
  gating: boolean;
  /** Aborts the running gate wait when the batch empties (every item withdrawn). */
  gateAbort: AbortController | undefined;
}

/**
 * Where an item was when its submitter gave up on it (its `signal` aborted, e.g. at the job's
 * deadline): still gathering company (`lingering`), due but waiting for its gate — a rate-limiter
 * permit — (`gating`), or already sent, its answer not back yet (`in_flight`).
 */
export type WithdrawnStage = "lingering" | "gating" | "in_flight";

/**
 * Rejects a submit whose signal aborted, or whose item was left too little time to be sent (see
 * `MicroBatcherOptions.minTimeLeftMs`). An item withdrawn before it was sent is never sent; one
 * withdrawn in flight is answered by the call as usual, and its outcome is dropped.
 */
export class ItemWithdrawn extends Error {
  readonly code = "item_withdrawn";

  constructor(readonly stage: WithdrawnStage) {
    super(`the item was withdrawn while ${stage.replace("_", " ")}`);
    this.name = "ItemWithdrawn";
  }
}

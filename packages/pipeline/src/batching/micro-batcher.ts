import { type BatchExchange, type HandedItem, RETURNED } from "./batch-exchange";
import { ItemWithdrawn, type WithdrawnStage } from "./item-withdrawn";
import { lateTest, splitLate } from "./late-items";
import { nextLeadAsk, takeLeadCall } from "./lead-calls";
import {
  BatcherClosedError,
  type BatchOutcomes,
  type MicroBatcher,
  type MicroBatcherOptions,
  type WithdrawSignal,
} from "./micro-batcher-types";
import type { PendingBatch, Waiting } from "./pending-batch";

// The batcher's shapes live in micro-batcher-types.ts; its callers import them from here.
export * from "./micro-batcher-types";

/**
 * Groups items submitted one by one (one BullMQ job each) into batch calls: a batch leaves when it
 * reaches its cap or `lingerMs` after its first item, whichever comes first. Each submitter still
 * gets its own item's outcome, so every job completes or fails on its own.
 *
 * With BullMQ the worker's concurrency must be at least the largest cap: each processor call awaits
 * `submit`, so a batch can never grow beyond the number of jobs being processed at once.
 */
export function createMicroBatcher<I, R, G = undefined>(
  options: MicroBatcherOptions<I, R, G>,
): MicroBatcher<I, R> {
  if (options.exchange && !options.gate) throw new TypeError("a micro-batcher with an exchange needs a gate");
  const pending = new Map<string, PendingBatch<I, R>>();
  const now = options.now ?? Date.now;
  const deadlineOf = (waiting: readonly Waiting<I, R>[], upTo = waiting.length): number => {
    let earliest = Number.POSITIVE_INFINITY;
    if (options.deadlineOf)
      for (let i = 0; i < Math.min(upTo, waiting.length); i++)
        earliest = Math.min(earliest, options.deadlineOf(waiting[i]!.item));
    return earliest;
  };
  /**
   * The gate of a batch, told its most urgent deadline — as it was and, while it waits, as it is
   * (`waiting` is the batch's own list, which items leave and join); aborted when the batch empties.
   */
  const openGate = (
    key: string,
    batch: PendingBatch<I, R> | undefined,
    waiting: readonly Waiting<I, R>[],
    othersDeadline = Number.POSITIVE_INFINITY,
  ) => {
    const abort = new AbortController();
    if (batch) batch.gateAbort = abort;
    const deadline = Math.min(deadlineOf(waiting), othersDeadline);
    const deadlineNow = () => Math.min(deadlineOf(waiting, capOf(key)), othersDeadline);
    return { abort, ticket: options.gate!(key, { deadline, deadlineNow, signal: abort.signal }) };
  };
  const lateRules = { deadlineOf: options.deadlineOf, minTimeLeftMs: options.minTimeLeftMs, now };
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  /** Items submitted and not yet settled: in pending batches (gated or not) or in flight. */
  let held = 0;
  const waitingInBatches = () => {
    let n = 0;
    for (const batch of pending.values()) n += batch.waiting.length;
    return n;
  };

  const capOf = (key: string): number => {
    const cap = Math.floor(options.cap(key));
    return Number.isFinite(cap) && cap >= 1 ? cap : 1;
  };

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  /** The batch of `key` is due (cap reached, linger over, or draining). */
  function sendPending(key: string): void {
    const batch = pending.get(key);
    if (!batch || batch.gating) return;
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    batch.timer = undefined;
    if (!options.gate) {
      pending.delete(key);
      // The cap may have dropped since these items arrived: never send more than it allows now.
      const cap = capOf(key);
      for (let start = 0; start < batch.waiting.length; start += cap) {
        track(send(key, batch.waiting.slice(start, start + cap), undefined as G));
      }
      return;
    }
    batch.gating = true;
    track(options.exchange ? gatherAcross(key, batch, options.exchange) : gateThenSend(key, batch));
  }

  /** Waits for the gate while the batch keeps filling, then sends up to a cap of it. */
  async function gateThenSend(key: string, batch: PendingBatch<I, R>): Promise<void> {
    const gate = openGate(key, batch, batch.waiting);
    let ticket: G;
    try {
      ticket = await gate.ticket;
    } catch (error) {
      batch.gateAbort = undefined;
      if (gate.abort.signal.aborted) {
        // Every item was withdrawn meanwhile: no call to make; items that joined since get a gate of their own.
        batch.gating = false;
        scheduleRest(key, batch);
        return;
      }
      const failure = asError(error);
      for (const w of takeUpToCap(key, batch)) w.reject(failure);
      return;
    }
    track(send(key, takeUpToCap(key, batch), ticket));
  }

  /**
   * A due batch when batches are merged across processes: lead the key (wait for the gate, send
   * our items and what others handed over, again while more arrive), or hand the items to the
   * process that leads it. Without Redis (an error) the batch goes out on its own.
   */
  async function gatherAcross(key: string, batch: PendingBatch<I, R>, exchange: BatchExchange<I, R>) {
    let lease: Awaited<ReturnType<BatchExchange<I, R>["lead"]>>;
    try {
      lease = closed ? undefined : await exchange.lead(key);
      if (!lease && !closed) {
        const handing = batch.waiting.splice(0);
        const answers = await exchange
          .handOff(
            key,
            handing.map((w) => w.item),
          )
          .catch((error: unknown) => {
            // Not handed over (Redis refused or dropped the command): they go out from here, below.
            batch.waiting.unshift(...handing);
            throw error;
          });
        if (answers) {
          answers.forEach((answer, i) => {
            const w = handing[i]!;
            answer.then((outcome) => (outcome === RETURNED ? returnToLocal(key, w) : w.resolve(outcome)));
          });
          track(Promise.allSettled(answers).then(() => {}));
          batch.gating = false;
          scheduleRest(key, batch);
          return;
        }
        // The leader gave the key up meanwhile: these go out from here.
        batch.waiting.unshift(...handing);
      }
    } catch {
      lease = undefined;
    }
    if (!lease) return gateThenSend(key, batch);

    try {
      for (;;) {
        // Closing with nothing of our own left: handed items go back to their owners (finally).
        if (closed && batch.waiting.length === 0) break;
        const next = await nextLeadAsk(lease, batch.waiting.length === 0, options.deadlineOf);
        if (!next.leading) break;
        const ticket = await openGate(key, undefined, batch.waiting, next.handedDeadline).ticket;
        const call = await takeLeadCall(lease, batch.waiting, {
          cap: capOf(key),
          closing: closed,
          handedFirst: next.handedDeadline <= deadlineOf(batch.waiting),
          restDue: () => isDue(key, batch),
        });
        const { own, handed } = call;
        if (own.length + handed.length > 0) track(send(key, own, ticket, { exchange, handed }));
        if (!call.leading) break;
      }
    } catch (error) {
      // The gate failed: our items fail with it; the lead lapses so others take theirs back.
      const failure = asError(error);
      for (const w of batch.waiting.splice(0, capOf(key))) w.reject(failure);
    } finally {
      await lease.release().catch(() => {});
      batch.gating = false;
      scheduleRest(key, batch);
    }
  }

  /** Items the leader could not score go out from this process, gated, never handed over again. */
  const returned = new Map<string, Waiting<I, R>[]>();
  function returnToLocal(key: string, w: Waiting<I, R>): void {
    if (w.withdrawn) return;
    // Too late to be sent (the leader returned it for that, or it came back late): a gate asked for
    // it would spend a permit on an item whose answer comes after its deadline.
    if (lateTest(lateRules)?.(w.item)) {
      w.withdrawn = true;
      w.reject(new ItemWithdrawn("gating"));
      return;
    }
    const queued = returned.get(key);
    if (queued) {
      queued.push(w);
      return;
    }
    returned.set(key, [w]);
    // Those of one answer arrive together: one microtask later they leave as one batch (or more).
    track(
      new Promise<void>((scheduled) =>
        queueMicrotask(() => {
          const items = returned.get(key) ?? [];
          returned.delete(key);
          const cap = capOf(key);
          for (let start = 0; start < items.length; start += cap) {
            const part = items.slice(start, start + cap);
            track(
              openGate(key, undefined, part).ticket.then(
                (ticket) => track(send(key, part, ticket)),
                (error: unknown) => {
                  for (const r of part) r.reject(asError(error));
                },
              ),
            );
          }
          scheduled();
        }),
      ),
    );
  }

  /** A batch is due once it is full or its oldest item has lingered long enough. */
  function isDue(key: string, batch: PendingBatch<I, R>): boolean {
    const oldest = batch.waiting[0];
    return (
      oldest !== undefined &&
      (batch.waiting.length >= capOf(key) || performance.now() - oldest.since >= options.lingerMs)
    );
  }

  /**
   * What is left of a batch once a call took its share: due at once when full or old enough (after
   * a long wait for the gate it is), else it lingers only what is left of its oldest item's linger —
   * so a fast remote still gets full batches instead of a small remainder right behind each call.
   */
  function scheduleRest(key: string, batch: PendingBatch<I, R>): void {
    const oldest = batch.waiting[0];
    if (oldest === undefined) {
      dropIfCurrent(key, batch);
      return;
    }
    if (isDue(key, batch)) {
      sendPending(key);
      return;
    }
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    const left = Math.max(0, options.lingerMs - (performance.now() - oldest.since));
    batch.timer = setTimeout(() => sendPending(key), left);
  }

  function dropIfCurrent(key: string, batch: PendingBatch<I, R>): void {
    if (pending.get(key) === batch) pending.delete(key);
  }

  /** Removes up to a cap of items from a gated batch; the rest becomes the next batch. */
  function takeUpToCap(key: string, batch: PendingBatch<I, R>): Waiting<I, R>[] {
    const taken = batch.waiting.splice(0, capOf(key));
    batch.gating = false;
    scheduleRest(key, batch);
    return taken;
  }

  /** One call: our own waiting items, then (when leading) those other processes handed over. */
  async function send(
    key: string,
    waiting: Waiting<I, R>[],
    ticket: G,
    across?: { exchange: BatchExchange<I, R>; handed: HandedItem<I>[] },
  ): Promise<void> {
    const late = splitLate(waiting, across?.handed ?? [], lateRules);
    for (const w of late.withdrawn) w.reject(new ItemWithdrawn(options.gate ? "gating" : "lingering"));
    waiting = late.waiting;
    const handed = late.handed;
    for (const w of waiting) w.sent = true;
    // Handed items past use go back unsent (their owners withdraw them: see returnToLocal).
    if (across && late.handedBack.length > 0) {
      const back = late.handedBack;
      track(
        across.exchange
          .answer(
            back,
            back.map(() => RETURNED),
          )
          .catch(() => {}),
      );
    }
    const items = [...waiting.map((w) => w.item), ...handed.map((h) => h.item)];
    if (items.length === 0) return;
    let outcomes: BatchOutcomes<R>;
    try {
      outcomes = await options.flush(key, items, ticket);
      if (outcomes.length !== items.length) {
        // Outcomes that do not line up with the items cannot be trusted for any of them.
        throw new Error(
          `batch flush for ${key} returned ${outcomes.length} outcomes for ${items.length} items`,
        );
      }
    } catch (error) {
      const failure = asError(error);
      for (const w of waiting) w.reject(failure);
      // Their owners try again themselves, with their own retry policy.
      await across?.exchange
        .answer(
          handed,
          handed.map(() => RETURNED),
        )
        .catch(() => {});
      return;
    }
    waiting.forEach((w, i) => {
      const outcome = outcomes[i] as R | Error;
      if (outcome instanceof Error) w.reject(outcome);
      else w.resolve(outcome);
    });
    await across?.exchange.answer(handed, outcomes.slice(waiting.length)).catch(() => {});
  }

  /** The submitter gave up on `w` (its signal aborted): out of its batch if not yet sent, then rejected. */
  function withdraw(key: string, w: Waiting<I, R>): void {
    w.withdrawn = true;
    let stage: WithdrawnStage = w.sent ? "in_flight" : "gating";
    const batch = pending.get(key);
    const at = batch ? batch.waiting.indexOf(w) : -1;
    if (batch && at >= 0) {
      stage = batch.gating ? "gating" : "lingering";
      batch.waiting.splice(at, 1);
      if (batch.waiting.length === 0) {
        batch.gateAbort?.abort();
        if (!batch.gating) {
          if (batch.timer !== undefined) clearTimeout(batch.timer);
          dropIfCurrent(key, batch);
        }
      }
    }
    const back = returned.get(key);
    const backAt = back ? back.indexOf(w) : -1;
    if (back && backAt >= 0) back.splice(backAt, 1);
    w.reject(new ItemWithdrawn(stage));
  }

  function submit(item: I, submitOptions: { signal?: WithdrawSignal } = {}): Promise<R> {
    if (closed) return Promise.reject(new BatcherClosedError());
    const { signal } = submitOptions;
    if (signal?.aborted) return Promise.reject(new ItemWithdrawn("lingering"));
    const key = options.keyOf(item);
    let onAbort: (() => void) | undefined;
    return new Promise<R>((resolve, reject) => {
      let batch = pending.get(key);
      if (!batch) {
        batch = { waiting: [], timer: undefined, gating: false, gateAbort: undefined };
        pending.set(key, batch);
        batch.timer = setTimeout(() => sendPending(key), options.lingerMs);
      }
      const waiting: Waiting<I, R> = {
        item,
        sent: false,
        withdrawn: false,
        since: performance.now(),
        resolve,
        reject,
      };
      batch.waiting.push(waiting);
      if (signal) {
        onAbort = () => withdraw(key, waiting);
        signal.addEventListener("abort", onAbort, { once: true });
      }
      held += 1;
      if (batch.waiting.length >= capOf(key)) sendPending(key);
      if (options.maxHeld !== undefined && held >= options.maxHeld && waitingInBatches() >= options.maxHeld) {
        for (const due of [...pending.keys()]) sendPending(due);
      }
    }).finally(() => {
      held -= 1;
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    });
  }

  async function drain(): Promise<void> {
    // Loop: a settling batch may let callers submit again before we are done (unless closed).
    while (pending.size > 0 || inFlight.size > 0) {
      for (const key of [...pending.keys()]) sendPending(key);
      await Promise.allSettled([...inFlight]);
    }
  }

  return {
    submit,
    drain,
    held: () => held,
    close() {
      closed = true;
      return drain();
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

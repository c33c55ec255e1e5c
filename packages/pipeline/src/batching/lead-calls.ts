import type { BatchLease, HandedItem } from "./batch-exchange";
import type { Waiting } from "./pending-batch";

/**
 * The calls of a process that leads a key across processes (micro-batcher.ts, `gatherAcross`): what
 * each asks for its permit with, and what each carries once the permit is in hand.
 */

/**
 * Before the next ask: items other processes handed over wait for the same gate, so the oldest
 * one's real deadline orders the ask and a lead competes for the permit exactly as a batch of its
 * own would. (A stand-in such as "now" put every lead ahead of every batch with a real deadline and
 * starved those.) With nothing of ours (`ownEmpty`) and nothing handed, the lead is given up instead:
 * `leading` is then false.
 */
export async function nextLeadAsk<I>(
  lease: BatchLease<I>,
  ownEmpty: boolean,
  deadlineOf: ((item: I) => number) | undefined,
): Promise<{ leading: boolean; handedDeadline: number }> {
  const next = await lease.peek(ownEmpty);
  const handedDeadline =
    next.oldest !== undefined && deadlineOf ? deadlineOf(next.oldest) : Number.POSITIVE_INFINITY;
  return { leading: next.leading, handedDeadline };
}

/**
 * What one call carries once the permit is in hand: up to `cap` items, the oldest first — the handed
 * ones when the oldest of them is due no later than ours (`handedFirst`; without deadlines, always:
 * they lingered in their process and waited since). Our own first always would let a process whose
 * workers keep fetching one merchant's jobs fill every call with them while others' older items wait
 * out their deadlines. Takes our own out of `waiting`. `leading` says whether the lead goes on: for
 * our own rest only when it is due (`restDue`) or waits behind handed items, otherwise only while
 * others' items wait; closing, it is given up and handed items go back to their owners.
 */
export async function takeLeadCall<I, R>(
  lease: BatchLease<I>,
  waiting: Waiting<I, R>[],
  options: { cap: number; closing: boolean; handedFirst: boolean; restDue: () => boolean },
): Promise<{ own: Waiting<I, R>[]; handed: HandedItem<I>[]; leading: boolean }> {
  const { cap, closing } = options;
  const handedFirst = options.handedFirst && !closing;
  let own = handedFirst ? [] : waiting.splice(0, cap);
  const keep = handedFirst ? waiting.length > 0 : options.restDue();
  const release = closing ? "always" : keep ? "keep" : "if-empty";
  let handed: HandedItem<I>[] = [];
  let leading: boolean;
  try {
    ({ items: handed, leading } = await lease.take(closing ? 0 : cap - own.length, release));
  } catch {
    // Redis failed: the lead lapses and the owners take their items back.
    leading = false;
  }
  if (handedFirst) own = waiting.splice(0, cap - handed.length);
  return { own, handed, leading };
}

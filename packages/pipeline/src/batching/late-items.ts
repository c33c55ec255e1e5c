import type { HandedItem } from "./batch-exchange";
import type { Waiting } from "./pending-batch";

export interface LateRules<I> {
  deadlineOf?: ((item: I) => number) | undefined;
  /** How long a call takes to answer now; an item with less time left is late. */
  minTimeLeftMs?: (() => number) | undefined;
  now: () => number;
}

/** What a call carries once late items are taken out, and what becomes of those. */
export interface LateSplit<I, R> {
  waiting: Waiting<I, R>[];
  handed: HandedItem<I>[];
  /** Our own late items: withdrawn, their jobs decided at their deadlines. */
  withdrawn: Waiting<I, R>[];
  /** Handed late items: back to their owners unsent. */
  handedBack: HandedItem<I>[];
}

/**
 * Items whose deadline leaves less than a call's time are not sent: they waited (for company or a
 * permit) until no answer could come back in time. Sent, they would be billed for nothing; and a lead
 * asks for its permits with its oldest handed item's deadline, so dead handed items left in its list
 * would keep winning permits over live batches.
 *
 * A permit that would carry nothing is still spent, on the late items: when calls are this scarce
 * (a storm) the limiter only learns the storm is over from calls answered, and a rate that stays cut
 * because every permit went unused would decide every job locally from then on. All of them, not
 * one: only a call as full as the cap allows shows whether Alipay answers it whole (a young
 * account's 50-item limit is learned from a cut answer, and after a storm the late items may be all
 * there is to send). Their jobs are decided at their deadlines as usual; the answers only teach.
 */
export function splitLate<I, R>(
  waiting: Waiting<I, R>[],
  handed: HandedItem<I>[],
  rules: LateRules<I>,
): LateSplit<I, R> {
  const unchanged = { waiting, handed, withdrawn: [], handedBack: [] };
  const late = lateTest(rules);
  if (!late) return unchanged;
  const ownInTime = waiting.filter((w) => !late(w.item));
  const handedInTime = handed.filter((h) => !late(h.item));
  const noneLate = ownInTime.length === waiting.length && handedInTime.length === handed.length;
  const noneInTime = ownInTime.length === 0 && handedInTime.length === 0;
  if (noneLate || noneInTime) return unchanged;
  return {
    waiting: ownInTime,
    handed: handedInTime,
    withdrawn: waiting.filter((w) => late(w.item)),
    handedBack: handed.filter((h) => late(h.item)),
  };
}

/** Whether an item is late now; undefined when the batcher has no deadlines. */
export function lateTest<I>(rules: LateRules<I>): ((item: I) => boolean) | undefined {
  const { deadlineOf, minTimeLeftMs } = rules;
  if (!deadlineOf || !minTimeLeftMs) return undefined;
  const latestStart = rules.now() + minTimeLeftMs();
  return (item) => deadlineOf(item) < latestStart;
}

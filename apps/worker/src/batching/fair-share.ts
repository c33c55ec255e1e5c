/**
 * Fair sharing of scarce calls between merchants. A batch waiting for a call permit asks with the
 * priority `deadline of its oldest item + penalty`, lowest first (earliest deadline first), where the
 * penalty is `penaltyMs` per call its merchant was granted recently. Merchants at their usual pace
 * carry similar penalties, so deadlines decide between them; a merchant's burst piles up penalties
 * and gets the calls left over once the others are served, not all of them.
 *
 * "Recently" is the last few calls' worth of time (three mean intervals between grants, at least a
 * second, at most ten): at 10 calls/s the last second, at 1 call/s the last three — so the penalty of
 * a grant still stands when the next permit is given, however slow the calls have become.
 *
 * Priorities of several processes are compared with one another (the limiter orders their most
 * urgent batches), so the interval should be the shared one: `callRate` (the limiter's rate, as last
 * seen) gives it. A process's own grants are only a fallback: a process leading one merchant's batches
 * sees a slower pace than one leading three, and would weigh its merchant's calls more heavily.
 */
export function createFairShare(options: {
  penaltyMs: number;
  now?: () => number;
  /** Calls/s allowed to all processes together, when known. */
  callRate?: () => number | undefined;
}) {
  const now = options.now ?? Date.now;
  const grants = new Map<string, number[]>();
  const lastGrants: number[] = [];
  const meanIntervalMs = (): number | undefined => {
    const rate = options.callRate?.();
    if (rate !== undefined && rate > 0) return 1_000 / rate;
    if (lastGrants.length < 2) return undefined;
    return (lastGrants.at(-1)! - lastGrants[0]!) / (lastGrants.length - 1);
  };
  const windowMs = (): number => {
    const interval = meanIntervalMs();
    if (interval === undefined) return MIN_WINDOW_MS;
    return Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, 3 * interval));
  };
  const recent = (merchant: string): number[] => {
    const list = grants.get(merchant) ?? [];
    const since = now() - windowMs();
    while (list.length > 0 && list[0]! <= since) list.shift();
    if (list.length === 0) grants.delete(merchant);
    return list;
  };
  return {
    /** The permit priority of a batch of `merchant` whose oldest item is due at `deadline`. */
    priority(merchant: string, deadline: number): number {
      return deadline + recent(merchant).length * options.penaltyMs;
    },
    /** `merchant` was granted a call. */
    granted(merchant: string): void {
      const at = now();
      lastGrants.push(at);
      if (lastGrants.length > GRANTS_FOR_PACE) lastGrants.shift();
      const list = recent(merchant);
      list.push(at);
      grants.set(merchant, list);
    },
  };
}
type FairShare = ReturnType<typeof createFairShare>;

const MIN_WINDOW_MS = 1_000;
const MAX_WINDOW_MS = 10_000;
/** Grants the pace is measured over. */
const GRANTS_FOR_PACE = 20;

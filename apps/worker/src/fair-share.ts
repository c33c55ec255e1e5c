/**
 * Fair sharing of scarce calls between merchants. A batch waiting for a call permit asks with the
 * priority `deadline of its oldest item + penalty`, lowest first (earliest deadline first), where the
 * penalty grows with the calls its merchant was granted in the last `windowMs`. Merchants at their
 * usual pace carry similar penalties, so deadlines decide between them; a merchant's burst piles up
 * penalties and gets the calls left over once the others are served, not all of them.
 */
export function createFairShare(options: { penaltyMs: number; windowMs?: number; now?: () => number }) {
  const windowMs = options.windowMs ?? 1_000;
  const now = options.now ?? Date.now;
  const grants = new Map<string, number[]>();
  const recent = (merchant: string): number[] => {
    const list = grants.get(merchant) ?? [];
    const since = now() - windowMs;
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
      const list = recent(merchant);
      list.push(now());
      grants.set(merchant, list);
    },
  };
}
export type FairShare = ReturnType<typeof createFairShare>;

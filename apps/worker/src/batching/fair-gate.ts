import { setTimeout as sleep } from "node:timers/promises";
import type { Permit, Priority } from "@riskq/pipeline";
import type { createFairShare } from "./fair-share";

/** What the gate needs of the call-rate limiter. */
interface PermitSource {
  /** Whether callers wait in line for the buckets' permits (calls are scarce). */
  scarce(buckets: readonly string[]): boolean;
  acquire(
    buckets: readonly string[],
    options: { signal?: AbortSignal | undefined; priority?: Priority | undefined },
  ): Promise<Permit>;
}

/**
 * How often a waiting batch looks at its merchant's fair-share penalty again: one call interval at
 * the default 10 calls/s. A merchant's penalty is asked of Redis once per this interval, however
 * many of its batches wait.
 */
const PENALTY_RECHECK_MS = 100;

/** Merchants' penalties kept before the stale ones are dropped (a worker may see many merchants). */
const FORGET_ABOVE = 256;

function forgetStale(penalties: Map<string, { at: number }>, before: number): void {
  for (const [merchant, asked] of penalties) if (asked.at < before) penalties.delete(merchant);
}

/**
 * The permit gate of a merchant's batch: earliest deadline first, with what the merchant sent
 * beyond its share counted against it (fair-share.ts) while calls are scarce.
 *
 * The penalty depends on the merchant's recent calls, so it changes while a batch waits, and a
 * priority fixed when the batch first asked was wrong both ways:
 * - a burst's batches all ask at once, while the merchant is still within its share, and were then
 *   served one after another by deadline (their items are the oldest) however far beyond its share
 *   the merchant went: with calls logged per merchant in the payment-budget bench, the burst took
 *   three calls in a row as it began, and every other merchant's batch waited behind them;
 * - a batch that asked while its merchant was beyond its share kept that penalty after the sends
 *   behind it had left the window, and every later item of the merchant joined that batch.
 * So a waiting batch's priority is looked at again every `recheckMs`, in place: the limiter reads it
 * each time it orders its line (a priority function), and the batch keeps its place there rather
 * than asking anew. The deadline is read there too, as the batch stands: its items withdrawn at
 * their deadline leave it, and a batch that kept their deadline was granted 60-290 ms after it had
 * passed (payment-budget call log), ahead of every batch that could still make it.
 */
export function createFairGate(options: {
  limiter: PermitSource;
  buckets: readonly string[];
  fairShare: Pick<ReturnType<typeof createFairShare>, "penaltyMs">;
  recheckMs?: number;
}) {
  const { limiter, buckets, fairShare } = options;
  const recheckMs = options.recheckMs ?? PENALTY_RECHECK_MS;
  /** The last penalty asked per merchant, shared by its batches for `recheckMs`. */
  const penalties = new Map<string, { at: number; penalty: Promise<number> }>();
  const penaltyOf = (merchant: string): Promise<number> => {
    // The fair share orders callers only while calls are scarce: otherwise every caller is granted
    // at once, and asking Redis for the merchant's share would add a round trip to every call.
    if (!limiter.scarce(buckets)) return Promise.resolve(0);
    const now = Date.now();
    let asked = penalties.get(merchant);
    if (asked === undefined || now - asked.at >= recheckMs) {
      if (penalties.size >= FORGET_ABOVE) forgetStale(penalties, now - recheckMs);
      asked = { at: now, penalty: fairShare.penaltyMs(merchant) };
      penalties.set(merchant, asked);
    }
    return asked.penalty;
  };

  /** `deadline`: the batch's earliest deadline as it stands when read (it changes while it waits). */
  return async (merchant: string, deadline: () => number, signal: AbortSignal): Promise<Permit> => {
    let penalty = await penaltyOf(merchant);
    const waiting = new AbortController();
    const recheck = async () => {
      for (;;) {
        await sleep(recheckMs, undefined, { ref: false, signal: waiting.signal });
        penalty = await penaltyOf(merchant);
      }
    };
    void recheck().catch(() => {});
    try {
      return await limiter.acquire(buckets, { signal, priority: () => deadline() + penalty });
    } finally {
      waiting.abort();
    }
  };
}

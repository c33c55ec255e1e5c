import { localSendLog, type SendLog } from "./send-log";

/**
 * Fair sharing of scarce calls between merchants, in the manner of fair queueing. A batch waiting
 * for a call permit asks with the priority `deadline of its oldest item + penalty`, lowest first
 * (earliest deadline first). The penalty is what its merchant sent recently beyond its share — the
 * items sent for all, divided by the merchants that asked for a call or sent one — counted in full
 * calls' worth of items, each worth `penaltyIntervals` call intervals.
 *
 * Merchants at the same pace are within a fraction of a call of their share, which costs them a few
 * tens of ms at 10 calls/s: deadlines decide between them. A merchant's burst goes calls beyond its
 * share and gets the calls left over once the others are served, not all of them. In call intervals
 * because that is what a call beyond the share took from the others, at any rate: at 1 call/s one
 * call beyond the share costs seconds, at 10 calls/s a fraction of one. (A fixed penalty per recent
 * call, as before, put the noise of a sliding count, about one call, between merchants at the same
 * pace: a second of deadline, enough to starve one merchant's batch while two processes' batches
 * competed.) Items rather than calls, so a merchant whose items went out in more, smaller calls (its
 * batches split between processes) has not had more than its share.
 *
 * "Recently" is the last few calls' worth of time (three call intervals, at least a second, at most
 * ten). Priorities of several processes are compared with one another (the limiter orders their most
 * urgent batches), so the counts and the interval must be the shared ones: `log` counts the sends
 * of every process (send-log.ts), and `callRate` (the limiter's rate, as last seen) gives the
 * interval; a process's own sends are only a fallback for it.
 */
export function createFairShare(options: {
  penaltyIntervals: number;
  /** Items a full call carries (the batch cap): the unit of the share's excess. */
  itemsPerCall: () => number;
  now?: () => number;
  /** Calls/s allowed to all processes together, when known. */
  callRate?: () => number | undefined;
  /** Where sends are counted (default: this process's own, in memory). */
  log?: SendLog;
}) {
  const now = options.now ?? Date.now;
  const log = options.log ?? localSendLog(now);
  const lastSends: number[] = [];
  const callIntervalMs = (): number | undefined => {
    const rate = options.callRate?.();
    if (rate !== undefined && rate > 0) return 1_000 / rate;
    if (lastSends.length < 2) return undefined;
    return (lastSends.at(-1)! - lastSends[0]!) / (lastSends.length - 1);
  };
  return {
    /**
     * The permit priority of a batch of `merchant` whose oldest item is due at `deadline` (asking
     * counts the merchant as active). Without the counts (Redis unreachable) the deadline alone: the
     * call is not held up for fairness.
     */
    async priority(merchant: string, deadline: number): Promise<number> {
      const interval = callIntervalMs() ?? MIN_WINDOW_MS;
      const windowMs = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, 3 * interval));
      const recent = await log.ask(merchant, windowMs).catch(() => undefined);
      if (recent === undefined) return deadline;
      const callsBeyondShare =
        (recent.mine - recent.total / recent.active) / Math.max(1, options.itemsPerCall());
      return deadline + Math.max(0, callsBeyondShare) * options.penaltyIntervals * interval;
    },
    /** A call for `merchant` was sent, carrying `items`. */
    async sent(merchant: string, items: number): Promise<void> {
      lastSends.push(now());
      if (lastSends.length > SENDS_FOR_PACE) lastSends.shift();
      await log.record(merchant, items).catch(() => {});
    },
  };
}

const MIN_WINDOW_MS = 1_000;
const MAX_WINDOW_MS = 10_000;
/** Sends the pace is measured over, without a shared rate. */
const SENDS_FOR_PACE = 20;

import { localSendLog, type SendLog } from "./send-log";

/**
 * Fair sharing of scarce calls between merchants, in the manner of fair queueing. A batch waiting
 * for a call permit asks with the priority `deadline of its oldest item + penalty`, lowest first
 * (earliest deadline first). The penalty is for the calls its merchant was sent recently beyond its
 * share — the calls sent for all, divided by the merchants that asked for a call or sent one —
 * past the first such call: `penaltyIntervals` call intervals for each. The penalty is looked at
 * again while the batch waits (fair-gate.ts).
 *
 * Calls, not items: the call is what is scarce. A merchant whose calls carry more items uses them
 * better and must not be put behind for it; counting items did exactly that, so the permits went to
 * the smallest batches (3 worker processes at BATCH_CAP 10 carried 4.4 items per call instead of 6.3
 * — see the pipeline bench's utilisation part). One call beyond the share is tolerated: a sliding
 * count differs by about one call between merchants at the same pace, and a penalty for that noise
 * put seconds between them (their batches starved in turn). A merchant's burst goes calls beyond
 * its share at once and gets the calls left over once the others are served, not all of them. In
 * call intervals because that is what a call beyond the share took from the others, at any rate: at
 * 1 call/s one call costs seconds, at 10 calls/s a fraction of one.
 *
 * "Recently" is the last ten calls' worth of time (at least a second, at most ten): long enough that
 * the tolerated call is small beside a share even at 1 call/s, where three intervals held three
 * calls. Priorities of several processes are compared with one another (the limiter orders their
 * most urgent batches), so the counts and the interval must be the shared ones: `log` counts the
 * sends of every process (send-log.ts), and `callRate` (the limiter's rate, as last seen) gives the
 * interval; a process's own sends are only a fallback for it.
 */
export function createFairShare(options: {
  penaltyIntervals: number;
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
     * What a batch of `merchant` waiting for a call permit adds to its deadline, in ms (asking counts
     * the merchant as active). Without the counts (Redis unreachable) nothing: the call is not held
     * up for fairness.
     */
    async penaltyMs(merchant: string): Promise<number> {
      const interval = callIntervalMs() ?? MIN_WINDOW_MS;
      const windowMs = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, WINDOW_CALLS * interval));
      const recent = await log.ask(merchant, windowMs).catch(() => undefined);
      if (recent === undefined) return 0;
      const callsBeyondShare = recent.mine - recent.total / recent.active;
      const penalized = Math.max(0, callsBeyondShare - TOLERATED_CALLS);
      return penalized * options.penaltyIntervals * interval;
    },
    /** A call for `merchant` was sent. */
    async sent(merchant: string): Promise<void> {
      lastSends.push(now());
      if (lastSends.length > SENDS_FOR_PACE) lastSends.shift();
      await log.record(merchant).catch(() => {});
    },
  };
}

/**
 * The default penalty per call beyond the share (past the tolerated one), in call intervals. A
 * burst's oldest items are the most urgent of all, about 600 ms ahead of the other merchants' by
 * the time it has had its share: at 4 intervals (400 ms at 10 calls/s) a burst took 13 of 25 calls
 * around a 1 000-item burst in the payment-budget bench (neighbour ratio 1.06-1.29 in ten runs, six
 * within 1.2, mean 1.17); at 8, a call and a half beyond its share already costs it 400 ms and two
 * and a half 1.2 s (0.91-1.41 in nine runs, seven within 1.2, mean 1.11). The pipeline bench's
 * latency at 50 jobs/s (five equal merchants, calls rarely scarce) did not move beyond its noise:
 * p99 1.43 and 1.83 s against 1.64 and 1.66 s at 4. The squared penalty once tried instead did (p99
 * 2.33-3.55 s).
 */
export const FAIR_SHARE_PENALTY_INTERVALS = 8;

/** Calls beyond the share that cost nothing: the noise of a sliding count between equal merchants. */
const TOLERATED_CALLS = 1;
/** "Recently", in call intervals. */
const WINDOW_CALLS = 10;
const MIN_WINDOW_MS = 1_000;
const MAX_WINDOW_MS = 10_000;
/** Sends the pace is measured over, without a shared rate. */
const SENDS_FOR_PACE = 20;

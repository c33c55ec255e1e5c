import type { Redis } from "ioredis";
import type { PrefilterVerdict } from "./prefilter";

/**
 * How the pre-filter's verdicts went, counted in one Redis hash per prefix, so an operator can see
 * — before switching it on — how often it would have decided, and how often Alipay disagreed.
 * Fields are `<use>|<decision>|<remote>`: `use` is "decided" (on: the result is the pre-filter's),
 * "remote" (on, but not a clear case: Alipay scored it), "shadow" (computed, scored remotely
 * anyway) or "degraded" (decided because Alipay could not be reached); `remote` is what Alipay
 * answered for the same job ("flagged", "unflagged") or "none".
 */
export const verdictStatsKey = (prefix: string): string => `${prefix}:prefilter:verdicts`;

export type VerdictUse = "decided" | "remote" | "shadow" | "degraded";
export type RemoteAnswer = "flagged" | "unflagged" | "none";

export interface VerdictStats {
  /** Counts one verdict in memory; written at the next flush. */
  record(use: VerdictUse, verdict: PrefilterVerdict, remote: RemoteAnswer): void;
  /** Writes what was counted since the last flush (one round trip). */
  flush(): Promise<void>;
  /** Stops the timer and writes the rest. */
  close(): Promise<void>;
}

export interface VerdictStatsOptions {
  redis: Redis;
  prefix: string;
  /**
   * Counts are kept in memory and written this often (default 1 s): shadow mode judges every job,
   * and a Redis round trip per job would be paid by every job of every worker.
   */
  flushMs?: number;
  /** Told when a flush failed (its counts are kept for the next one). */
  onError?: (error: unknown) => void;
}

export function createVerdictStats(options: VerdictStatsOptions): VerdictStats {
  const key = verdictStatsKey(options.prefix);
  let pending = new Map<string, number>();
  let writing: Promise<void> = Promise.resolve();

  const write = async () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const multi = options.redis.multi();
    for (const [field, count] of batch) multi.hincrby(key, field, count);
    try {
      await multi.exec();
    } catch (err) {
      // Put them back: a Redis hiccup must not lose the counts, only delay them.
      for (const [field, count] of batch) pending.set(field, (pending.get(field) ?? 0) + count);
      options.onError?.(err);
    }
  };
  // One write at a time, so a slow flush and the next one never interleave.
  const flush = () => {
    writing = writing.then(write);
    return writing;
  };
  const timer = setInterval(() => void flush(), options.flushMs ?? 1_000);
  timer.unref();

  return {
    record(use, verdict, remote) {
      const field = `${use}|${verdict.decision}|${remote}`;
      pending.set(field, (pending.get(field) ?? 0) + 1);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

/** The counts as `{ "shadow|legit|unflagged": 812, … }`. */
export async function readVerdictStats(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(verdictStatsKey(prefix));
  return Object.fromEntries(Object.entries(raw).map(([field, count]) => [field, Number(count)]));
}

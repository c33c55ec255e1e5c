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
  record(use: VerdictUse, verdict: PrefilterVerdict, remote: RemoteAnswer): Promise<void>;
}

export function createVerdictStats(options: { redis: Redis; prefix: string }): VerdictStats {
  const key = verdictStatsKey(options.prefix);
  return {
    async record(use, verdict, remote) {
      await options.redis.hincrby(key, `${use}|${verdict.decision}|${remote}`, 1);
    },
  };
}

/** The counts as `{ "shadow|legit|unflagged": 812, … }`. */
export async function readVerdictStats(redis: Redis, prefix: string): Promise<Record<string, number>> {
  const raw = await redis.hgetall(verdictStatsKey(prefix));
  return Object.fromEntries(Object.entries(raw).map(([field, count]) => [field, Number(count)]));
}

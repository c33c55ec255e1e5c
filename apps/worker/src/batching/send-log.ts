import { randomUUID } from "node:crypto";
import { runScript } from "@riskq/redis";
import type { Redis } from "ioredis";

/**
 * Where the fair share counts the calls recently sent per merchant and the merchants asking for
 * calls. Several worker processes compare their batches' priorities with one another (through the
 * limiter), so the counts must be the same in every process: a process counting only its own sends
 * would weigh a merchant whose batches it led all along more heavily than one whose batches moved
 * between processes.
 */
export interface SendLog {
  /** A call for `merchant` was sent now. */
  record(merchant: string): Promise<void>;
  /** `merchant` asks for a call now; what it and everyone sent recently, and how many merchants asked or sent. */
  ask(merchant: string, windowMs: number): Promise<RecentSends>;
}

/** What happened in the last window. */
interface RecentSends {
  /** Calls sent for the asking merchant. */
  mine: number;
  /** Calls sent for every merchant. */
  total: number;
  /** Merchants that asked for a call or sent one (the asking one included). */
  active: number;
}

/** Sends and asks older than this are of no window's concern (the fair share's longest is 10 s). */
const MAX_KEPT_MS = 60_000;

/** A log of this process's sends and asks only: right for a single worker process (and tests). */
export function localSendLog(now: () => number = Date.now): SendLog {
  const sends: Array<{ merchant: string; at: number }> = [];
  const lastSeen = new Map<string, number>();
  const forget = () => {
    const since = now() - MAX_KEPT_MS;
    while (sends.length > 0 && sends[0]!.at <= since) sends.shift();
    for (const [merchant, at] of lastSeen) if (at <= since) lastSeen.delete(merchant);
  };
  return {
    async record(merchant) {
      forget();
      sends.push({ merchant, at: now() });
      lastSeen.set(merchant, now());
    },
    async ask(merchant, windowMs) {
      forget();
      lastSeen.set(merchant, now());
      const since = now() - windowMs;
      const recent = sends.filter((g) => g.at > since);
      return {
        mine: recent.filter((g) => g.merchant === merchant).length,
        total: recent.length,
        active: [...lastSeen.values()].filter((at) => at > since).length,
      };
    },
  };
}

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: the merchant's sends, everyone's sends, the merchants last seen. ARGV: merchant, a unique
// member for the call. Sorted sets scored by time on Redis's clock, so every process agrees on "recent".
const RECORD = `${NOW}
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('ZADD', KEYS[3], now, ARGV[1])
for i = 1, 3 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - ${MAX_KEPT_MS})
  redis.call('PEXPIRE', KEYS[i], ${MAX_KEPT_MS})
end
return 1`;

// KEYS: as RECORD. ARGV: merchant, window ms. Returns {mine, total, active} (calls, calls, merchants).
const ASK = `${NOW}
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('PEXPIRE', KEYS[3], ${MAX_KEPT_MS})
local since = '(' .. (now - tonumber(ARGV[2]))
local function count(key) return redis.call('ZCOUNT', key, since, '+inf') end
return { count(KEYS[1]), count(KEYS[2]), count(KEYS[3]) }`;

/**
 * The sends and asks of every worker process, in Redis under `prefix` (a hash tag such as
 * `{riskq}`): `<prefix>:fair-share:sent:<merchant>`, `<prefix>:fair-share:sent` (one member per
 * call) and `<prefix>:fair-share:seen`, sorted sets by time kept for a minute.
 */
export function redisSendLog(options: { redis: Redis; prefix: string }): SendLog {
  const { redis, prefix } = options;
  const keysOf = (merchant: string) => [
    `${prefix}:fair-share:sent:${merchant}`,
    `${prefix}:fair-share:sent`,
    `${prefix}:fair-share:seen`,
  ];
  const me = randomUUID();
  let sequence = 0;
  return {
    async record(merchant) {
      const member = `${merchant}|${me}:${sequence++}`;
      await runScript(redis, RECORD, keysOf(merchant), [merchant, member]);
    },
    async ask(merchant, windowMs) {
      const [mine, total, active] = (await runScript(redis, ASK, keysOf(merchant), [
        merchant,
        Math.round(windowMs),
      ])) as number[];
      return { mine: Number(mine), total: Number(total), active: Math.max(1, Number(active)) };
    },
  };
}

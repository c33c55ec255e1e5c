import { randomUUID } from "node:crypto";
import type { Logger } from "@riskq/observability";
import { runScript } from "@riskq/redis";
import type { Redis } from "ioredis";
import {
  type BatchExchange,
  type BatchLease,
  type HandedItem,
  RETURNED,
  type Returned,
} from "./batch-exchange";

export interface RedisBatchExchangeOptions {
  /** A plain connection for commands; a duplicate of it listens for answers. */
  redis: Redis;
  /** The deployment's key prefix, a hash tag such as `{riskq}`: every key below lives in its slot. */
  prefix: string;
  logger?: Pick<Logger, "warn">;
  /** How long a lead lives without renewal (default 10 s); renewed every third of it while held. */
  leaseMs?: number;
  /** How often an owner checks on items still handed out (default 1 s). */
  checkEveryMs?: number;
  /**
   * After this long without an answer an owner takes its items back and scores them itself
   * (default 30 s: longer than a permit wait plus a call's deadline, so only a dead leader hits it).
   */
  giveUpMs?: number;
}

// KEYS: lead, items. ARGV: lease ms, entries… Hands over only while somebody leads the key. Entries
// are unique (their ids are): finding the first one already listed means this is a repeat — ioredis
// sends a command again when the connection dropped before its reply — and pushing again would put
// the items twice into one call, which Alipay refuses as a whole.
const HAND_OFF = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('LPOS', KEYS[2], ARGV[2]) then return 1 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]) * 6)
return 1`;

// KEYS: lead, items. ARGV: me, max, release mode (keep|if-empty|always), lease ms.
// Returns {leading (0|1), entries}. A lead that is no longer ours takes nothing.
const TAKE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0, {}} end
local taken = {}
if tonumber(ARGV[2]) > 0 then taken = redis.call('LPOP', KEYS[2], ARGV[2]) or {} end
if ARGV[3] == 'always' or (ARGV[3] == 'if-empty' and redis.call('LLEN', KEYS[2]) == 0) then
  redis.call('DEL', KEYS[1])
  return {0, taken}
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, taken}`;

// KEYS: lead, items. ARGV: me, release if empty (0|1), lease ms. Returns {leading (0|1), oldest
// entry if any}. A lead that is no longer ours sees nothing.
const PEEK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
local oldest = redis.call('LINDEX', KEYS[2], 0)
if not oldest and ARGV[2] == '1' then
  redis.call('DEL', KEYS[1])
  return {0}
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if not oldest then return {1} end
return {1, oldest}`;

// KEYS: lead. ARGV: me, lease ms (0: release). Renews or releases a lead that is still ours.
const KEEP_OR_RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

// KEYS: lead, items. ARGV: force (0|1), entries… Takes entries back when nobody leads (or when
// forced); returns the 1-based positions (in ARGV after the flag) of those it found still waiting.
const RECLAIM = `
if ARGV[1] == '0' and redis.call('EXISTS', KEYS[1]) == 1 then return {} end
local back = {}
for i = 2, #ARGV do
  if redis.call('LREM', KEYS[2], 1, ARGV[i]) > 0 then back[#back + 1] = i - 1 end
end
return back`;

// A leader's scripts run through runScript (EVALSHA, EVAL only after a NOSCRIPT): it takes, renews
// and releases once or more per batch, and EVAL would ship and hash each script's text every time.
// HAND_OFF stays a plain EVAL: it only runs where several processes share a key.

interface Entry<I> {
  id: string;
  owner: string;
  item: I;
}

interface Outstanding<R> {
  key: string;
  entry: string;
  handedAt: number;
  settle(outcome: R | Returned): void;
}

/** `[id, result]` per item; a null result returns the item to its owner. */
type AnswerMessage<R> = Array<[string, R | null]>;

/**
 * The batch exchange on Redis: per key, a lead (`SET NX` with a lease) and a list of handed items;
 * answers travel by pub/sub to each owner's channel. Items and results must survive JSON.
 */
export async function createRedisBatchExchange<I, R>(
  options: RedisBatchExchangeOptions,
): Promise<BatchExchange<I, R>> {
  const { redis, prefix } = options;
  const leaseMs = options.leaseMs ?? 10_000;
  const checkEveryMs = options.checkEveryMs ?? 1_000;
  const giveUpMs = options.giveUpMs ?? 30_000;
  const me = randomUUID();
  const leadKey = (key: string) => `${prefix}:xbatch:lead:${key}`;
  const itemsKey = (key: string) => `${prefix}:xbatch:items:${key}`;
  const channelOf = (owner: string) => `${prefix}:xbatch:answers:${owner}`;
  const outstanding = new Map<string, Outstanding<R>>();
  let nextId = 0;
  let closed = false;

  const listener = redis.duplicate();
  listener.on("error", (err) => options.logger?.warn({ err }, "batch exchange listener: Redis error"));
  listener.on("message", (_channel: string, message: string) => {
    let answers: AnswerMessage<R>;
    try {
      answers = JSON.parse(message) as AnswerMessage<R>;
    } catch {
      return;
    }
    for (const [id, result] of answers) outstanding.get(id)?.settle(result === null ? RETURNED : result);
  });
  await listener.subscribe(channelOf(me));

  /** Owners take back what nobody leads any more, and everything unanswered for too long. */
  const checker = setInterval(() => void checkOutstanding().catch(() => {}), checkEveryMs);
  checker.unref();

  async function checkOutstanding(leaving = false): Promise<void> {
    const byKey = new Map<string, Outstanding<R>[]>();
    for (const o of outstanding.values()) byKey.set(o.key, [...(byKey.get(o.key) ?? []), o]);
    const now = Date.now();
    for (const [key, waiting] of byKey) {
      const overdue = leaving ? waiting : waiting.filter((o) => now - o.handedAt >= giveUpMs);
      // Not overdue: only if nobody leads the key any more (a leader that died before taking them).
      const check = overdue.length > 0 ? overdue : waiting.filter((o) => now - o.handedAt >= checkEveryMs);
      if (check.length === 0) continue;
      const force = overdue.length > 0 ? "1" : "0";
      const back = (await runScript(
        redis,
        RECLAIM,
        [leadKey(key), itemsKey(key)],
        [force, ...check.map((o) => o.entry)],
      )) as number[];
      for (const position of back) check[position - 1]?.settle(RETURNED);
      // Overdue and not found in the list: a leader took them and never answered (it died mid-call).
      for (const o of overdue) o.settle(RETURNED);
    }
  }

  function readEntry(key: string, text: string): Entry<I> | undefined {
    try {
      return JSON.parse(text) as Entry<I>;
    } catch {
      options.logger?.warn(
        { key },
        "batch exchange: an unreadable handed item was dropped (its owner takes it back)",
      );
      return undefined;
    }
  }

  function leaseOf(key: string): BatchLease<I> {
    let leading = true;
    const renew = setInterval(() => {
      void runScript(redis, KEEP_OR_RELEASE, [leadKey(key)], [me, leaseMs]).then(
        (kept) => {
          if (kept === 0) stop();
        },
        () => {},
      );
    }, leaseMs / 3);
    renew.unref();
    const stop = () => {
      leading = false;
      clearInterval(renew);
    };
    return {
      async take(max, release) {
        if (!leading) return { items: [], leading: false };
        const [still, raw] = (await runScript(
          redis,
          TAKE,
          [leadKey(key), itemsKey(key)],
          [me, max, release, leaseMs],
        )) as [number, string[]];
        if (still === 0) stop();
        const items: HandedItem<I>[] = [];
        for (const text of raw) {
          const entry = readEntry(key, text);
          if (entry) items.push({ id: entry.id, owner: entry.owner, item: entry.item });
        }
        return { items, leading: still === 1 };
      },
      async peek(releaseIfEmpty) {
        if (!leading) return { oldest: undefined, leading: false };
        const [still, text] = (await runScript(
          redis,
          PEEK,
          [leadKey(key), itemsKey(key)],
          [me, releaseIfEmpty ? 1 : 0, leaseMs],
        )) as [number, string | undefined];
        if (still === 0) stop();
        return { oldest: text === undefined ? undefined : readEntry(key, text)?.item, leading: still === 1 };
      },
      async release() {
        if (!leading) return;
        stop();
        await runScript(redis, KEEP_OR_RELEASE, [leadKey(key)], [me, 0]);
      },
    };
  }

  return {
    async lead(key) {
      if (closed) return undefined;
      const won = await redis.set(leadKey(key), me, "PX", leaseMs, "NX");
      return won === "OK" ? leaseOf(key) : undefined;
    },

    async handOff(key, items) {
      if (closed || items.length === 0) return undefined;
      const entries = items.map((item) => {
        const id = `${me}:${nextId++}`;
        return { id, text: JSON.stringify({ id, owner: me, item } satisfies Entry<I>) };
      });
      // Registered before the push: an answer may arrive before the script's reply does.
      const handedAt = Date.now();
      const settled = entries.map(
        ({ id, text }) =>
          new Promise<R | Returned>((resolve) => {
            outstanding.set(id, {
              key,
              entry: text,
              handedAt,
              settle(outcome) {
                if (outstanding.delete(id)) resolve(outcome);
              },
            });
          }),
      );
      let handed: unknown;
      try {
        handed = await redis.eval(
          HAND_OFF,
          2,
          leadKey(key),
          itemsKey(key),
          leaseMs,
          ...entries.map((e) => e.text),
        );
      } catch (err) {
        for (const { id } of entries) outstanding.delete(id);
        throw err;
      }
      if (handed !== 1) {
        for (const { id } of entries) outstanding.delete(id);
        return undefined;
      }
      return settled;
    },

    async answer(handed, outcomes) {
      const byOwner = new Map<string, AnswerMessage<R>>();
      handed.forEach((h, i) => {
        const outcome = outcomes[i];
        const result =
          outcome === undefined || outcome === RETURNED || outcome instanceof Error ? null : outcome;
        byOwner.set(h.owner, [...(byOwner.get(h.owner) ?? []), [h.id, result as R | null]]);
      });
      await Promise.all(
        [...byOwner].map(([owner, answers]) =>
          redis.publish(channelOf(owner), JSON.stringify(answers)).catch((err: unknown) => {
            // The owner hears nothing and scores the items itself after giveUpMs.
            options.logger?.warn({ err }, "batch exchange: could not answer an owner");
          }),
        ),
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(checker);
      // Take back what is still waiting for a leader, so no other process scores it after we leave.
      await checkOutstanding(true).catch(() => {});
      for (const o of outstanding.values()) o.settle(RETURNED);
      await listener.quit().catch(() => listener.disconnect());
    },
  };
}

import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";
import { type AlertEvent, alertEventSchema, alertIdentity } from "./alert-event";
import { ALERTER_GROUP, type AlertKeys, groupKeyOf } from "./alert-keys";
import { FOLD_EVENT, runScript } from "./alert-scripts";

/** The timing a fold needs (see `AlerterTiming`). */
export interface FoldTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  resolveAfterMs: number;
  maxSamples: number;
  /** Safety expiry of a group's keys, refreshed by each event (an abandoned group cannot linger). */
  stateTtlMs: number;
}

type StreamEntry = [id: string, fields: string[]];
const BATCH = 100;
/** Bounds one tick's reading, so a backlog cannot starve claiming and delivery. */
const MAX_BATCHES_PER_TICK = 20;

/**
 * Reads the events stream in the alerters' consumer group and folds each event into its group.
 * Entries another replica read but never acknowledged (it died) are taken over with XAUTOCLAIM once
 * idle for `claimIdleMs`; folding acknowledges atomically, so a taken-over entry counts once.
 */
export function createEventReader(options: {
  redis: Redis;
  keys: AlertKeys;
  consumer: string;
  claimIdleMs: number;
  timing: FoldTiming;
  logger: Pick<Logger, "warn">;
}) {
  const { redis, keys, consumer, logger } = options;
  let groupReady = false;

  async function ensureGroup(): Promise<void> {
    try {
      // From the stream's start: events published before any alerter ever ran are not skipped.
      await redis.xgroup("CREATE", keys.events, ALERTER_GROUP, "0", "MKSTREAM");
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith("BUSYGROUP"))) throw err;
    }
    groupReady = true;
  }

  async function fold(now: number, [id, fields]: StreamEntry): Promise<boolean> {
    const event = parseEntry(fields);
    if (!event) {
      logger.warn({ entry: id }, "unreadable alert event skipped");
      await redis.xack(keys.events, ALERTER_GROUP, id);
      return false;
    }
    const gk = groupKeyOf(event);
    const group = keys.group(gk);
    const { timing } = options;
    const result = await runScript(
      redis,
      FOLD_EVENT,
      [keys.events, group.state, group.seen, group.samples, keys.due],
      [
        ALERTER_GROUP,
        id,
        gk,
        now,
        timing.groupWaitMs,
        timing.groupIntervalMs,
        timing.resolveAfterMs,
        alertIdentity(event),
        event.job_id ?? "",
        timing.maxSamples,
        timing.stateTtlMs,
        event.kind,
        event.group,
        event.subject ?? "",
        event.reason ?? "",
        event.message,
        event.error ?? "",
        event.at,
      ],
    );
    return result !== 0;
  }

  async function readOnce(now: number): Promise<number> {
    let folded = 0;
    // Entries a dead replica left pending first, then new ones.
    let cursor = "0-0";
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i += 1) {
      const [next, entries] = (await redis.xautoclaim(
        keys.events,
        ALERTER_GROUP,
        consumer,
        options.claimIdleMs,
        cursor,
        "COUNT",
        BATCH,
      )) as [string, StreamEntry[], string[]];
      for (const entry of entries) if (entry && (await fold(now, entry))) folded += 1;
      cursor = next;
      if (cursor === "0-0") break;
    }
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i += 1) {
      const reply = (await redis.xreadgroup(
        "GROUP",
        ALERTER_GROUP,
        consumer,
        "COUNT",
        BATCH,
        "STREAMS",
        keys.events,
        ">",
      )) as Array<[string, StreamEntry[]]> | null;
      const entries = reply?.[0]?.[1] ?? [];
      for (const entry of entries) if (await fold(now, entry)) folded += 1;
      if (entries.length < BATCH) break;
    }
    return folded;
  }

  return {
    /** Folds every unread (or abandoned) event at time `now`; returns how many were folded. */
    async read(now: number): Promise<number> {
      if (!groupReady) await ensureGroup();
      try {
        return await readOnce(now);
      } catch (err) {
        // The stream (and its group) was deleted under us: recreate it and carry on next tick.
        if (err instanceof Error && err.message.startsWith("NOGROUP")) groupReady = false;
        throw err;
      }
    },
    /** Forgets consumers of replicas long gone (nothing pending, idle over `idleMs`). */
    async pruneConsumers(idleMs: number): Promise<void> {
      if (!groupReady) await ensureGroup();
      const consumers = (await redis.xinfo("CONSUMERS", keys.events, ALERTER_GROUP)) as unknown[][];
      for (const info of consumers) {
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
        const name = String(fields.get("name"));
        if (name !== consumer && Number(fields.get("pending")) === 0 && Number(fields.get("idle")) > idleMs)
          await redis.xgroup("DELCONSUMER", keys.events, ALERTER_GROUP, name);
      }
    },
  };
}

function parseEntry(fields: string[]): AlertEvent | undefined {
  const index = fields.indexOf("event");
  if (index < 0 || index % 2 !== 0) return undefined;
  try {
    const parsed = alertEventSchema.safeParse(JSON.parse(fields[index + 1] ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

import { setTimeout as sleep } from "node:timers/promises";
import { QUEUES } from "@riskq/contracts";
import { connectRedis } from "@riskq/redis";
import { QueueKeys } from "bullmq";
import type { Redis } from "ioredis";

/** The ends of score jobs as the queue's event stream reports them, read by one reader per process. */
export interface OutcomeEvents {
  /** `listener` is called with the id of each job that completed or failed for good, in stream order. */
  onEnd(listener: (jobId: string) => void): void;
  /** Resolves once reading has begun: every job that ends from then on is reported. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface OutcomeEventsOptions {
  redisUrl: string;
  prefix: string;
  /** After a read that brought events, the next one waits this long (default 5 ms): see below. */
  paceMs?: number;
}

/** How long one XREAD blocks when nothing happens. */
const BLOCK_MS = 5_000;
/** A read unanswered this long after its block ended is on a dead connection: reconnect. */
const STUCK_AFTER_MS = BLOCK_MS + 2_000;
/** Entries taken per read at most, so that one reply stays small. */
const MAX_PER_READ = 1_000;
const DEFAULT_PACE_MS = 5;
const RETRY_MS = 500;

/**
 * Reads the score queue's event stream (BullMQ's `events` stream) for `completed` and `failed`
 * entries, on a connection of its own: a blocking XREAD must never sit on the API's fail-fast
 * connection, where it would hold every other command behind it.
 *
 * Not BullMQ's QueueEvents, for its cost on a busy queue: it reads again the moment a read answers,
 * so at 400 jobs/s (each writes several events) it made about 330 reads a second — each a socket
 * write that wakes Redis — and parsed every completed job's result; together about a tenth of the
 * API's CPU in the payment-budget bench. Here a read that brought events is followed by the next
 * one only `paceMs` later, so a busy stream is read in a few milliseconds' worth at a time, and only
 * each entry's `event` and `jobId` are looked at. A wake-up comes up to `paceMs` later, which a wait
 * measured in hundreds of milliseconds does not notice.
 *
 * Connection trouble is left to the waits' polls (they answer 503 at once), so reading just tries
 * again; a read stuck on a dead connection is abandoned by reconnecting, as BullMQ does.
 */
export function createOutcomeEvents(options: OutcomeEventsOptions): OutcomeEvents {
  // Blocking commands need the connection to retry forever (maxRetriesPerRequest: null).
  const connection = connectRedis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on("error", () => {});
  const stream = new QueueKeys(options.prefix).getKeys(QUEUES.score).events!;
  const paceMs = options.paceMs ?? DEFAULT_PACE_MS;
  const listeners: Array<(jobId: string) => void> = [];
  let closed = false;
  // Commands on a connection that cannot reach Redis wait in ioredis's offline queue, and a
  // disconnect between two reconnection attempts does not fail them: every wait is raced with this.
  let markClosed = () => {};
  const whenClosed = new Promise<typeof CLOSED>((resolve) => {
    markClosed = () => {
      closed = true;
      resolve(CLOSED);
    };
  });
  const pause = (ms: number) => unlessClosed(sleep(ms), whenClosed);

  const started = lastEntryId(connection, stream, whenClosed);
  const reading = started.then(async (from) => {
    let lastId = from;
    while (!closed) {
      const entries = await readAfter(connection, stream, lastId, whenClosed).catch(async () => {
        await pause(RETRY_MS);
        return [];
      });
      for (const [id, fields] of entries) {
        lastId = id;
        const jobId = endedJobOf(fields);
        if (jobId !== undefined) for (const listener of listeners) listener(jobId);
      }
      if (entries.length > 0) await pause(paceMs);
    }
  });
  reading.catch(() => {});

  return {
    onEnd(listener) {
      listeners.push(listener);
    },
    async ready() {
      await started;
    },
    async close() {
      markClosed();
      connection.disconnect();
      await reading.catch(() => {});
    },
  };
}

type StreamEntry = [id: string, fields: string[]];

/** What a wait raced with `whenClosed` answers once the reader is closed. */
const CLOSED = Symbol("closed");

/** `command`'s answer, or CLOSED once the reader is closed (the command is then abandoned). */
async function unlessClosed<T>(
  command: Promise<T>,
  whenClosed: Promise<typeof CLOSED>,
): Promise<T | typeof CLOSED> {
  command.catch(() => {});
  return Promise.race([command, whenClosed]);
}

/**
 * The id of the stream's newest entry ("0" when it has none): reading starts after it. Asked until
 * Redis answers, or until the reader is closed (then "$": nothing is read anyway).
 */
async function lastEntryId(
  connection: Redis,
  stream: string,
  whenClosed: Promise<typeof CLOSED>,
): Promise<string> {
  for (;;) {
    try {
      const answer = await unlessClosed(connection.xrevrange(stream, "+", "-", "COUNT", 1), whenClosed);
      if (answer === CLOSED) return "$";
      const [newest] = answer as StreamEntry[];
      return newest?.[0] ?? "0";
    } catch {
      if ((await unlessClosed(sleep(RETRY_MS), whenClosed)) === CLOSED) return "$";
    }
  }
}

/** Entries after `lastId`, blocking up to BLOCK_MS; a read that hangs longer reconnects. */
async function readAfter(
  connection: Redis,
  stream: string,
  lastId: string,
  whenClosed: Promise<typeof CLOSED>,
): Promise<StreamEntry[]> {
  const watchdog = setTimeout(() => connection.disconnect(true), STUCK_AFTER_MS);
  try {
    const reply = await unlessClosed(
      connection.xread("COUNT", MAX_PER_READ, "BLOCK", BLOCK_MS, "STREAMS", stream, lastId),
      whenClosed,
    );
    if (reply === CLOSED) return [];
    return (reply as Array<[key: string, entries: StreamEntry[]]> | null)?.[0]?.[1] ?? [];
  } finally {
    clearTimeout(watchdog);
  }
}

/** The job id of a `completed` or `failed` entry; undefined for every other event. */
function endedJobOf(fields: readonly string[]): string | undefined {
  let event: string | undefined;
  let jobId: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === "event") event = fields[i + 1];
    else if (fields[i] === "jobId") jobId = fields[i + 1];
  }
  return event === "completed" || event === "failed" ? jobId : undefined;
}

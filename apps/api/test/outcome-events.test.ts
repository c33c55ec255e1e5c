/**
 * The API's reader of the score queue's event stream: it reports the jobs that end (completed or
 * failed) as BullMQ writes them, nothing else, and reads a busy stream a few milliseconds' worth at
 * a time rather than once per entry.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { QUEUES } from "@riskq/contracts";
import { createScoreQueue, type ScoreQueue } from "@riskq/pipeline";
import { anyFreePort } from "@riskq/testing";
import { useTestRedis } from "@riskq/testing/vitest";
import { type Job, Worker } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { createOutcomeEvents, type OutcomeEvents } from "../src/scores/outcome-events";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let events: OutcomeEvents | undefined;
let queue: ScoreQueue | undefined;
let worker: Worker | undefined;

afterEach(async () => {
  await worker?.close();
  await queue?.close();
  await events?.close();
  worker = undefined;
  queue = undefined;
  events = undefined;
});

/** Resolves once `ids` were all reported (in any order), with everything reported so far. */
function reported(so: () => string[], ids: readonly string[]): Promise<string[]> {
  return new Promise((resolve) => {
    const check = () => (ids.every((id) => so().includes(id)) ? resolve(so()) : setTimeout(check, 10));
    check();
  });
}

describe("outcome events", () => {
  it("reports each job that completes or fails, once, and none of the other events of the queue", async () => {
    const { redis, prefix } = suite.redis;
    events = createOutcomeEvents({ redisUrl, prefix });
    const ended: string[] = [];
    events.onEnd((jobId) => ended.push(jobId));
    await events.ready();

    queue = createScoreQueue({ connection: redis, prefix });
    await queue.add("card_risk", { request: { item_id: "ok" } } as never, { jobId: "ok" });
    await queue.add("card_risk", { request: { item_id: "bad" } } as never, { jobId: "bad", attempts: 1 });
    await queue.add("card_risk", { request: { item_id: "delayed" } } as never, {
      jobId: "later",
      delay: 60_000,
    });
    worker = new Worker(
      QUEUES.score,
      async (job: Job) => {
        if (job.id === "bad") throw new Error("refused");
        return { risk_score: 1 };
      },
      { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix },
    );

    await reported(() => ended, ["ok", "bad"]);
    // Added, waiting, active, delayed, drained… were in the stream too, and none was reported.
    await sleep(100);
    expect([...ended].sort()).toEqual(["bad", "ok"]);
  });

  it("reports nothing that ended before it was ready", async () => {
    const { redis, prefix } = suite.redis;
    const stream = `${prefix}:${QUEUES.score}:events`;
    await redis.xadd(stream, "*", "event", "completed", "jobId", "before");
    events = createOutcomeEvents({ redisUrl, prefix });
    const ended: string[] = [];
    events.onEnd((jobId) => ended.push(jobId));
    await events.ready();
    await redis.xadd(stream, "*", "event", "completed", "jobId", "after");
    expect(await reported(() => ended, ["after"])).toEqual(["after"]);
  });

  it("takes what a busy stream gathered since its last read in one read, not one read per entry", async () => {
    const { redis, prefix } = suite.redis;
    const stream = `${prefix}:${QUEUES.score}:events`;
    // A pace far longer than it takes to write the entries below one by one, even on a loaded machine.
    events = createOutcomeEvents({ redisUrl, prefix, paceMs: 1_500 });
    // Entries reported within one turn of the event loop came from one read.
    const reads: string[][] = [];
    let current: string[] | undefined;
    events.onEnd((jobId) => {
      if (!current) {
        current = [];
        reads.push(current);
        queueMicrotask(() => {
          current = undefined;
        });
      }
      current.push(jobId);
    });
    await events.ready();
    await redis.xadd(stream, "*", "event", "completed", "jobId", "first");
    await reported(() => reads.flat(), ["first"]);
    const later = Array.from({ length: 10 }, (_, i) => `j${i}`);
    for (const id of later) {
      await redis.xadd(stream, "*", "event", "completed", "jobId", id);
      await sleep(10);
    }
    await reported(() => reads.flat(), later);
    expect(reads).toEqual([["first"], later]);
  });

  it("closes while a read is blocked", async () => {
    const { prefix } = suite.redis;
    events = createOutcomeEvents({ redisUrl, prefix });
    await events.ready();
    await sleep(50);
    const closing = events.close();
    events = undefined;
    await expect(closing).resolves.toBeUndefined();
  });

  it("closes while Redis cannot be reached (nothing listens on its port)", async () => {
    const port = await anyFreePort("127.0.0.1");
    events = createOutcomeEvents({ redisUrl: `redis://127.0.0.1:${port}`, prefix: suite.redis.prefix });
    await sleep(200);
    const closing = events.close();
    events = undefined;
    await expect(closing).resolves.toBeUndefined();
  });
});

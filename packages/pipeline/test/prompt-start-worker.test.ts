import { useTestRedis } from "@riskq/testing/vitest";
import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { PromptStartWorker } from "../src/index";
import { closingConnections } from "./fixtures/closing-connections";

const redisSuite = useTestRedis({ url: process.env.REDIS_URL });
const QUEUE = "prompt-start";
/** Waiting when the worker starts: far more than one short run of fetches takes in. */
const BACKLOG = 1_500;

const { connect, onCleanup } = closingConnections(process.env.REDIS_URL);

async function backlogQueue(connection: Redis, jobs: number): Promise<Queue> {
  const queue = new Queue(QUEUE, { connection, prefix: redisSuite.redis.prefix });
  onCleanup(() => queue.close());
  await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: "score", data: { i } })));
  return queue;
}

/**
 * Starts `make`'s worker on a queue holding BACKLOG jobs and answers how many of them had already
 * been fetched (moved to active) when the first one started, and whether all of them then completed.
 */
async function firstStart(
  make: (processor: (job: Job) => Promise<void>, connection: Redis) => Worker,
): Promise<{ fetchedAtFirstStart: number; completed: number }> {
  const connection = connect();
  const queue = await backlogQueue(connection, BACKLOG);
  let fetchedAtFirstStart: Promise<number> | undefined;
  let completed = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const worker = make(async () => {
    // Read before this job's own completion can move anything on: the active list as the first start found it.
    fetchedAtFirstStart ??= queue.getActiveCount();
    await fetchedAtFirstStart;
  }, connection);
  onCleanup(() => worker.close());
  worker.on("completed", () => {
    completed += 1;
    if (completed === BACKLOG) allDone();
  });
  await done;
  return { fetchedAtFirstStart: await fetchedAtFirstStart!, completed };
}

const options = (connection: Redis) => ({
  connection,
  prefix: redisSuite.redis.prefix,
  concurrency: BACKLOG,
});

describe("PromptStartWorker", () => {
  it("stock BullMQ fetches the whole backlog before it starts a job (what PromptStartWorker changes)", async () => {
    const { fetchedAtFirstStart, completed } = await firstStart(
      (processor, connection) => new Worker(QUEUE, processor, options(connection)),
    );
    expect(fetchedAtFirstStart).toBe(BACKLOG);
    expect(completed).toBe(BACKLOG);
  });

  it("starts the jobs it fetched once a run of fetches has lasted maxFetchRunMs, and loses none", async () => {
    const { fetchedAtFirstStart, completed } = await firstStart(
      (processor, connection) =>
        new PromptStartWorker(QUEUE, processor, options(connection), { maxFetchRunMs: 1 }),
    );
    // One run of fetches took in a few jobs, not the backlog; the first start read the active list
    // while most of it still waited.
    expect(fetchedAtFirstStart).toBeLessThan(BACKLOG / 2);
    expect(completed).toBe(BACKLOG);
  });

  it("picks up a job added after the queue ran dry", async () => {
    const connection = connect();
    const queue = await backlogQueue(connection, 200);
    const seen = new Set<number>();
    let allSeen: () => void = () => {};
    const late = new Promise<void>((resolve) => {
      allSeen = resolve;
    });
    const worker = new PromptStartWorker(
      QUEUE,
      async (job: Job<{ i: number }>) => {
        seen.add(job.data.i);
        if (seen.size === 201) allSeen();
      },
      options(connection),
      { maxFetchRunMs: 0 },
    );
    onCleanup(() => worker.close());
    await new Promise<void>((resolve) => worker.once("drained", () => resolve()));
    await queue.add("score", { i: -1 });
    await late;
    expect(seen.has(-1)).toBe(true);
  });
});

import { type AlertEvent, alertKeys, createAlerter } from "@riskq/alerts";
import { QUEUES, type ScoreJobData, scoreJobId } from "@riskq/contracts";
import {
  createCircuitBreaker,
  createDeadLetterQueue,
  createScoreQueue,
  type DeadLetterQueue,
  DeadLetterStore,
  deadMessage,
  type ScoreQueue,
} from "@riskq/pipeline";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { createTestRedis, type TestRedis } from "@riskq/testing";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkerAlerts } from "../src/alerts/worker-alerts";

let redis: TestRedis;
let connection: Redis;
let score: ScoreQueue;
let dead: DeadLetterQueue;

beforeEach(async () => {
  redis = await createTestRedis({ url: process.env.REDIS_URL });
  connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  score = createScoreQueue({ connection, prefix: redis.prefix, attempts: 1 });
  dead = createDeadLetterQueue({ connection, prefix: redis.prefix });
  for (const queue of [score, dead]) queue.on("error", () => {});
  // Set up (BullMQ asks each connection's INFO) before any test can end and close the connection.
  await Promise.all([score.waitUntilReady(), dead.waitUntilReady()]);
  connection.on("error", () => {});
});
afterEach(async () => {
  await score.close();
  await dead.close();
  await connection.quit();
  await redis.cleanup();
});

/** Fails `count` score jobs for real (a BullMQ worker throwing the pipeline's dead message). */
async function failedJobs(count: number, reason: "silent_drop"): Promise<Job<ScoreJobData>[]> {
  const merchant = generateMerchants({ seed: 9, count: 1 })[0]!;
  const items = generateTraffic({ seed: 9, merchants: [merchant], count, start: "2026-11-26T08:00:00Z" });
  const ids = items.map(({ item }) => scoreJobId(item.merchant_id, item.item_id));
  const ownConnection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
    maxRetriesPerRequest: null,
  });
  const worker = new Worker<ScoreJobData>(
    QUEUES.score,
    async () => {
      throw new UnrecoverableError(deadMessage(reason, "item_missing", "200 OK without the item"));
    },
    // Its own connection, closed with it: BullMQ's set-up of a shared one may still be under way when
    // the test ends and closes that, which would fail the next test.
    { connection: ownConnection, prefix: redis.prefix },
  );
  worker.on("error", () => {});
  await worker.waitUntilReady();
  const failed = new Promise<void>((resolve) => {
    let seen = 0;
    worker.on("failed", () => {
      seen += 1;
      if (seen === count) resolve();
    });
  });
  for (const [i, { item }] of items.entries())
    await score.add(
      QUEUES.score,
      {
        request: { ...item, task: "transaction_anomaly" },
        enqueued_at: Date.now(),
        deadline_at: Date.now() + 60_000,
      },
      { jobId: ids[i]! },
    );
  await failed;
  await worker.close();
  await ownConnection.quit();
  return Promise.all(ids.map(async (id) => (await score.getJob(id)) as Job<ScoreJobData>));
}

async function streamEvents(): Promise<AlertEvent[]> {
  const entries = await redis.redis.xrange(alertKeys(redis.prefix).events, "-", "+");
  return entries.map(([, fields]) => JSON.parse(fields[1]!) as AlertEvent);
}

/** The worker's alerts, as main.ts wires them. */
const workerAlerts = () =>
  createWorkerAlerts({ redis: redis.redis, prefix: redis.prefix, logger: pino({ level: "silent" }) });

describe("worker alerts", () => {
  it("one alert event per dead letter, published before the letter is written; a repeat after a crash counts once", async () => {
    const { deadLetterHooks } = workerAlerts();
    const store = new DeadLetterStore(score, dead, undefined, undefined, deadLetterHooks);
    const [first, second] = await failedJobs(2, "silent_drop");

    await store.record(first!);
    await store.record(first!); // the letter exists: nothing happens
    expect((await streamEvents()).map((e) => e.job_id)).toEqual([first!.id]);

    // A worker that published the second one's alert, then died before writing its dead letter.
    const crashing = new DeadLetterStore(score, dead, undefined, undefined, {
      onDeadLetter: async (letter) => {
        await deadLetterHooks.onDeadLetter!(letter);
        expect(await dead.getJob(second!.id!)).toBeUndefined();
        throw new Error("killed");
      },
    });
    await expect(crashing.record(second!)).rejects.toThrow("killed");
    expect(await dead.getJob(second!.id!)).toBeUndefined();
    // The sweeper's reconcile records it, publishing again.
    expect(await store.reconcile()).toBe(1);
    const events = await streamEvents();
    expect(events.map((e) => e.job_id)).toEqual([first!.id, second!.id, second!.id]);
    expect(events[0]).toMatchObject({
      kind: "dead_letter",
      group: "score-dead/silent_drop",
      reason: "silent_drop",
      error: "item_missing: 200 OK without the item",
    });
    // No payload in the alert.
    for (const field of ['"amount"', '"payload"', '"request"'])
      expect(JSON.stringify(events)).not.toContain(field);

    // The alerter counts two dead letters, not three.
    const lines: string[] = [];
    const alerter = createAlerter({
      redis: redis.redis,
      prefix: redis.prefix,
      webhookUrls: [],
      logger: {
        info() {},
        error() {},
        warn: (obj) => void lines.push(String((obj as { text?: string }).text)),
      },
    });
    const t0 = Date.now();
    try {
      await alerter.tick(t0);
      await alerter.tick(t0 + 30_000);
    } finally {
      // Nothing of it may outlive the test's connection (a read still pending would fail the next test).
      await alerter.stop();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]!.split("\n")[0]).toBe(
      "[riskq] FIRING Dead letters: silent_drop in score-dead — 2 dead letters (2 new)",
    );
    expect(lines[0]).toContain(`sample jobs: ${second!.id}, ${first!.id}`);
  });

  it("each opening of the circuit breaker publishes a circuit_open alert", async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 2, isFailure: () => true });
    workerAlerts().watchBreaker(breaker);
    const fail = () => breaker.execute(() => Promise.reject(new Error("502 from the gateway")));
    await expect(fail()).rejects.toThrow("502");
    expect(await streamEvents()).toEqual([]);
    await expect(fail()).rejects.toThrow("502");
    expect(breaker.state).toBe("open");

    const deadline = Date.now() + 5_000;
    while ((await streamEvents()).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const events = await streamEvents();
    expect(events).toEqual([
      expect.objectContaining({
        kind: "circuit_open",
        group: "alipay",
        subject: "alipay",
        error: "Error: 502 from the gateway",
      }),
    ]);
  });
});

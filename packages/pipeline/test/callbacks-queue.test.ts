import { QUEUES, type ScoreJobData, type ScoreJobResult, scoreJobId } from "@riskq/contracts";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { useTestRedis } from "@riskq/testing/vitest";
import { type Job, type Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import {
  type CallbackQueue,
  type CallbackWorker,
  completedDelivery,
  createCallbackQueue,
  createDeadLetterQueue,
  createScoreQueue,
  DeadLetterStore,
  deadMessage,
  enqueueCallback,
  findQueuedResult,
  parseCallbackAllowListText,
  startCallbackWorker,
} from "../src/index";
import { type CallbackReceiver, startCallbackReceiver } from "./fixtures/callback-receiver";
import { closingConnections } from "./fixtures/closing-connections";

const redisSuite = useTestRedis({ url: process.env.REDIS_URL });
const SECRET = "test-callback-secret-0123456789";
const FAST = { baseMs: 20, capMs: 50 };
const logger = pino({ level: "silent" });
// The receivers listen on 127.0.0.1, which callbacks may only reach when it is opened explicitly.
const allowed = parseCallbackAllowListText("127.0.0.1");
if (!allowed.ok) throw new Error(allowed.message);
const LOCAL = { allowList: allowed.value, requireHttps: false };
const RESULT: ScoreJobResult = {
  item_id: "item-1",
  source: "remote",
  confidence: 0.12,
  risk_score: 12,
  risk_level: "low",
  flagged: false,
  info_code: [],
  model_version: "risk-v3-2026-11",
  cost_usd: 0.001,
  attempts: 1,
};

const { connect, onCleanup } = closingConnections(process.env.REDIS_URL);
function callbackQueue(connection: Redis, attempts?: number): CallbackQueue {
  const queue = createCallbackQueue({
    connection,
    prefix: redisSuite.redis.prefix,
    ...(attempts ? { attempts } : {}),
  });
  onCleanup(() => queue.close());
  return queue;
}
async function receiver(answer?: Parameters<typeof startCallbackReceiver>[1]): Promise<CallbackReceiver> {
  const r = await startCallbackReceiver(SECRET, answer);
  onCleanup(() => r.close());
  return r;
}
function deliverer(
  connection: Redis,
  extra: { rejectedAttempts?: number; destinations?: typeof LOCAL } = {},
): CallbackWorker {
  const w = startCallbackWorker({
    connection,
    prefix: redisSuite.redis.prefix,
    secret: SECRET,
    logger,
    backoff: FAST,
    destinations: LOCAL,
    ...extra,
  });
  onCleanup(() => w.close());
  return w;
}

/** Polls until `check` holds (a hang guard, not a timing assertion). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const stateIs = (queue: Queue, id: string, state: string) => async () =>
  (await queue.getJobState(id)) === state;

describe("score-callbacks queue and delivery worker", () => {
  it("retries a failing receiver until it answers 2xx; every attempt is signed and carries the same id", async () => {
    const connection = connect();
    const queue = callbackQueue(connection);
    const r = await receiver((_jobId, nth) => (nth <= 3 ? 503 : 200));
    await enqueueCallback(queue, completedDelivery("2088-a1", r.url, RESULT));
    deliverer(connection);

    await until(stateIs(queue, "2088-a1.completed", "completed"), "the delivery to complete");
    const attempts = r.of("2088-a1");
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 503, 200]);
    expect(attempts.every((a) => a.signatureValid)).toBe(true);
    expect(new Set(attempts.map((a) => a.body.id))).toEqual(new Set(["2088-a1"]));
    expect(
      attempts.every((a) => a.body.event === "completed" && a.headers["x-riskq-event"] === "completed"),
    ).toBe(true);
    expect(attempts.at(-1)?.body.result).toEqual(RESULT);
  });

  it("delivers an outcome queued twice (a re-run after a stall) once", async () => {
    const connection = connect();
    const queue = callbackQueue(connection);
    const r = await receiver();
    await enqueueCallback(queue, completedDelivery("2088-a1", r.url, RESULT));
    await enqueueCallback(queue, completedDelivery("2088-a1", r.url, { ...RESULT, risk_score: 99 }));
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
    // The re-run reads back what the first run queued, so it can answer with the same result.
    expect(await findQueuedResult(queue, "2088-a1")).toEqual(RESULT);
    expect(await findQueuedResult(queue, "2088-a1", 1)).toBeUndefined();

    deliverer(connection);
    await until(stateIs(queue, "2088-a1.completed", "completed"), "the delivery to complete");
    expect(r.received.map((a) => [a.jobId, a.body.result?.risk_score])).toEqual([["2088-a1", 12]]);
  });

  it("gives a rejecting receiver (4xx) three attempts, a down one (5xx) the full budget", async () => {
    const connection = connect();
    const queue = callbackQueue(connection, 5);
    const r = await receiver((jobId) => (jobId === "gone" ? 404 : 503));
    await enqueueCallback(queue, completedDelivery("gone", r.url, RESULT));
    await enqueueCallback(queue, completedDelivery("down", r.url, RESULT));
    deliverer(connection, { rejectedAttempts: 3 });

    await until(stateIs(queue, "gone.completed", "failed"), "the 404 delivery to be given up");
    await until(stateIs(queue, "down.completed", "failed"), "the 503 delivery to be given up");
    expect(r.of("gone").map((a) => a.status)).toEqual([404, 404, 404]);
    expect(r.of("down").map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
  });

  it("fails a delivery to a refused destination at once, with its reason, and never retries it", async () => {
    const connection = connect();
    const queue = callbackQueue(connection, 5);
    const r = await receiver();
    const port = new URL(r.url).port;
    // Queued before the rules existed (or written by something other than the API): the worker still refuses.
    await enqueueCallback(queue, completedDelivery("numeric", `http://0x7f000001:${port}/hook`, RESULT));
    await enqueueCallback(queue, completedDelivery("named", `http://localhost:${port}/hook`, RESULT));
    deliverer(connection, { destinations: { ...LOCAL, allowList: { hosts: new Set(), cidrs: [] } } });

    for (const id of ["numeric.completed", "named.completed"]) {
      await until(stateIs(queue, id, "failed"), `the delivery ${id} to fail`);
      const job = await queue.getJob(id);
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toMatch(/^callback destination refused: /);
    }
    expect((await queue.getJob("numeric.completed"))?.failedReason).toContain(
      "127.0.0.1 is a loopback address",
    );
    expect((await queue.getJob("named.completed"))?.failedReason).toContain("localhost names the local host");
    expect(r.received).toHaveLength(0);
  });

  it("hands a delivery that a dead process held to another process once its lock (lockMs) lapses", async () => {
    const connection = connect();
    const queue = callbackQueue(connection);
    const r = await receiver();
    await enqueueCallback(queue, completedDelivery("2088-held", r.url, RESULT));
    // A process takes the delivery with a 1 s lock, then dies before delivering it: nothing renews its lock.
    const crashed = new Worker(QUEUES.callbacks, null, {
      connection,
      prefix: redisSuite.redis.prefix,
      lockDuration: 1_000,
    });
    onCleanup(() => crashed.close());
    expect((await crashed.getNextJob("crashed-process"))?.id).toBe("2088-held.completed");

    const w = startCallbackWorker({
      connection,
      prefix: redisSuite.redis.prefix,
      secret: SECRET,
      logger,
      backoff: FAST,
      destinations: LOCAL,
      lockMs: 1_000,
    });
    onCleanup(() => w.close());
    // With BullMQ's default lock (30 s) the delivery would still be held when this guard gives up.
    await r.until(
      () => r.of("2088-held").some((x) => x.status === 200),
      "the delivery by the live process",
      15_000,
    );
    await until(stateIs(queue, "2088-held.completed", "completed"), "the delivery to complete");
    expect(r.of("2088-held").every((x) => x.signatureValid)).toBe(true);
  });

  it("still delivers after two processes in a row died holding the delivery (stalls never give it up)", async () => {
    const connection = connect();
    const queue = callbackQueue(connection);
    const r = await receiver();
    await enqueueCallback(queue, completedDelivery("2088-twice", r.url, RESULT));
    const { prefix } = redisSuite.redis;
    const takeAndDie = async (name: string) => {
      const crashed = new Worker(QUEUES.callbacks, null, { connection, prefix, lockDuration: 500 });
      onCleanup(() => crashed.close());
      expect((await crashed.getNextJob(name))?.id).toBe("2088-twice.completed");
    };
    await takeAndDie("first-dead-process");
    // Another process's stalled check hands it back (its first stall), and the next taker dies too.
    const checker = new Worker(QUEUES.callbacks, null, {
      connection,
      prefix,
      stalledInterval: 200,
      maxStalledCount: 5,
    });
    onCleanup(() => checker.close());
    await checker.startStalledCheckTimer();
    await until(stateIs(queue, "2088-twice.completed", "waiting"), "the first stall to be handed back");
    await checker.close();
    await takeAndDie("second-dead-process");

    // The delivery worker's own stalled check finds its second stall: with BullMQ's default
    // allowance (1) it would fail the delivery, and the outcome would never be announced.
    const w = startCallbackWorker({
      connection,
      prefix,
      secret: SECRET,
      logger,
      backoff: FAST,
      destinations: LOCAL,
      lockMs: 500,
    });
    onCleanup(() => w.close());
    await until(stateIs(queue, "2088-twice.completed", "completed"), "the delivery to complete");
    expect(r.of("2088-twice").map((x) => [x.status, x.signatureValid])).toEqual([[200, true]]);
    expect((await queue.getJob("2088-twice.completed"))?.stalledCounter).toBe(2);
  });

  it("a dead job's callback is queued with its dead letter, once, also when the reconciler records it", async () => {
    const connection = connect();
    const { prefix } = redisSuite.redis;
    const score = createScoreQueue({ connection, prefix, attempts: 1 });
    const dead = createDeadLetterQueue({ connection, prefix });
    onCleanup(
      () => score.close(),
      () => dead.close(),
    );
    const callbacks = callbackQueue(connection);
    const store = new DeadLetterStore(score, dead, undefined, callbacks);
    const r = await receiver();

    const merchant = generateMerchants({ seed: 3, count: 1 })[0]!;
    const item = generateTraffic({
      seed: 3,
      merchants: [merchant],
      count: 1,
      start: "2026-11-26T08:00:00Z",
    })[0]!.item;
    const id = scoreJobId(item.merchant_id, item.item_id);
    const data: ScoreJobData = {
      request: { ...item, task: "transaction_anomaly", callback_url: r.url },
      enqueued_at: Date.now(),
      deadline_at: Date.now() - 1,
    };
    await score.add(QUEUES.score, data, { jobId: id });
    // A score worker that kills the job, then "crashes" before recording the dead letter.
    const killer = new Worker<ScoreJobData>(
      QUEUES.score,
      async () => {
        throw new UnrecoverableError(deadMessage("expired", "deadline_passed", "too late"));
      },
      { connection, prefix },
    );
    onCleanup(() => killer.close());
    await until(stateIs(score, id, "failed"), "the score job to fail");

    expect(await store.reconcile()).toBe(1);
    await store.record((await score.getJob(id)) as Job<ScoreJobData>);
    expect(await callbacks.getJobCounts("waiting")).toEqual({ waiting: 1 });

    deliverer(connection);
    await r.until(() => r.of(id).length > 0, "the dead callback");
    const [got] = r.of(id);
    expect(got?.signatureValid).toBe(true);
    expect(got?.headers["x-riskq-event"]).toBe("dead");
    expect(got?.body.event).toBe("dead");
    expect(got?.body.dead_letter?.reason).toBe("expired");
    expect(got?.body.dead_letter).toEqual(await store.get(id));
  });
});

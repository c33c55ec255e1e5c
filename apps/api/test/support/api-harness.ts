import { type ApiKeyIdentity, listedKeys, type ServerTimeouts } from "@riskq/config";
import {
  type DeadLetterReason,
  QUEUES,
  type ScoreJobData,
  type ScoreJobResult,
  type ScoreRequestBody,
} from "@riskq/contracts";
import { createLogger, type Logger } from "@riskq/observability";
import {
  type CallbackDestinationPolicy,
  createDeadLetterQueue,
  createMaintenanceQueue,
  createScoreQueue,
  type DeadLetterQueue,
  DeadLetterStore,
  type MaintenanceQueue,
  OutcomeRecords,
  type ScoreJobDataWithHistory,
  type ScoreQueue,
} from "@riskq/pipeline";
import { useTestRedis } from "@riskq/testing/vitest";
import { type Job, type Processor, UnrecoverableError, Worker } from "bullmq";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { afterEach, beforeEach } from "vitest";
import { createApiMetrics } from "../../src/api-metrics";
import { createApiRedis } from "../../src/redis-connection";
import type { MerchantOnboarding } from "../../src/routes/merchants";
import { createOutcomeEvents } from "../../src/scores/outcome-events";
import { OutcomeWakeups } from "../../src/scores/outcome-wakeups";
import { buildApi } from "../../src/server";

export const API_KEY = "test-api-key";
export const AUTH = { authorization: `Bearer ${API_KEY}` };
export const MERCHANT_ID = "2088000000000001";
const silentLogger = createLogger({ name: "api-test", level: "silent" });

/** The API built in-process on a real Redis, with the queues it uses (for counting and seeding). */
export interface ApiKit extends AsyncDisposable {
  app: FastifyInstance;
  redis: Redis;
  scoreQueue: ScoreQueue;
  deadQueue: DeadLetterQueue;
  maintenanceQueue: MaintenanceQueue;
  deadLetters: DeadLetterStore;
  /** The waits' wake-ups, when on. */
  outcomeWakeups: OutcomeWakeups | undefined;
  /** The idempotency records the API and its dead-letter store use. */
  outcomes: OutcomeRecords;
  prefix: string;
  redisUrl: string;
  close(): Promise<void>;
}

export interface StartApiOptions {
  redisUrl?: string | undefined;
  prefix: string;
  maxBacklog?: number;
  maxWaitingJobs?: number;
  fairSharePerS?: number;
  alipay?: MerchantOnboarding;
  /** Builds the Alipay side on the API's own Redis connection (merchant tests). */
  alipayOn?: (redis: Redis) => MerchantOnboarding;
  /** Default: silent. */
  logger?: Logger;
  /** RISKQ_CALLBACK_ALLOWED_HOSTS and NODE_ENV as main.ts turns them into a policy (default: nothing opened). */
  callbackDestinations?: CallbackDestinationPolicy;
  /** Serve `GET /metrics` as main.ts does (its maintenance queue is the kit's `maintenanceQueue`). */
  metrics?: boolean;
  /** Request, header and idle limits (default: the production ones). */
  timeouts?: ServerTimeouts;
  /** Wake waits on the queue's events as main.ts does (default true); false: waits poll alone. */
  wakeups?: boolean;
  /** RISKQ_IDEMPOTENCY_TTL in ms (default a day). */
  idempotencyTtlMs?: number;
  /** The API's keys (default: API_KEY and another, operators of every merchant as RISKQ_API_KEYS makes them). */
  apiKeys?: readonly ApiKeyIdentity[];
}

// Tests that do not onboard merchants must not reach Alipay at all.
const noAlipay: MerchantOnboarding = {
  onboardMerchant: () => Promise.reject(new Error("this test does not onboard merchants")),
};

export async function startApi(options: StartApiOptions): Promise<ApiKit> {
  const redisUrl = options.redisUrl ?? "redis://127.0.0.1:6379";
  const redis = createApiRedis(redisUrl, silentLogger);
  const queueOptions = { connection: redis, prefix: options.prefix };
  const scoreQueue = createScoreQueue(queueOptions);
  const deadQueue = createDeadLetterQueue(queueOptions);
  for (const queue of [scoreQueue, deadQueue]) queue.on("error", () => {});
  await Promise.all([scoreQueue.waitUntilReady(), deadQueue.waitUntilReady()]);
  const outcomes = new OutcomeRecords({
    redis,
    prefix: options.prefix,
    ttlMs: options.idempotencyTtlMs ?? 86_400_000,
  });
  const deadLetters = new DeadLetterStore(scoreQueue, deadQueue, undefined, undefined, {}, outcomes);
  const maintenanceQueue = createMaintenanceQueue(queueOptions);
  maintenanceQueue.on("error", () => {});
  const metrics = options.metrics
    ? createApiMetrics({ redis, scoreQueue, deadQueue, maintenanceQueue, defaultMetrics: false })
    : undefined;
  const outcomeEvents =
    options.wakeups === false ? undefined : createOutcomeEvents({ redisUrl, prefix: options.prefix });
  const outcomeWakeups = outcomeEvents && new OutcomeWakeups(outcomeEvents);
  await outcomeEvents?.ready();
  const app = buildApi({
    redis,
    scoreQueue,
    deadLetters,
    outcomes,
    alipay: options.alipayOn?.(redis) ?? options.alipay ?? noAlipay,
    apiKeys: options.apiKeys ?? listedKeys(["another-key", API_KEY]),
    logger: options.logger ?? silentLogger,
    maxBacklog: options.maxBacklog ?? 100_000,
    maxWaitingJobs: options.maxWaitingJobs,
    fairSharePerS: options.fairSharePerS,
    ...(metrics ? { metrics: metrics.registry } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.callbackDestinations ? { callbackDestinations: options.callbackDestinations } : {}),
    ...(outcomeWakeups ? { outcomeWakeups } : {}),
  });
  await app.ready();
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      await app.close();
      await Promise.allSettled([
        scoreQueue.close(),
        deadQueue.close(),
        maintenanceQueue.close(),
        outcomeEvents?.close(),
      ]);
      redis.disconnect();
    })();
    return closed;
  };
  return {
    app,
    redis,
    scoreQueue,
    deadQueue,
    maintenanceQueue,
    deadLetters,
    outcomeWakeups,
    outcomes,
    prefix: options.prefix,
    redisUrl,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A valid score request (transaction_anomaly needs no fingerprint), with overrides. */
export function scoreBody(itemId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task: "transaction_anomaly",
    item_id: itemId,
    merchant_id: MERCHANT_ID,
    amount: "128.50",
    currency: "CNY",
    country: "CN",
    channel: "app",
    occurred_at: "2026-11-20T10:00:00+08:00",
    ...overrides,
  };
}

/** Jobs of every state in the score queue: what "nothing was enqueued" is checked against. */
export const countJobs = (queue: ScoreQueue) =>
  queue.getJobCountByTypes("waiting", "delayed", "prioritized", "active", "completed", "failed");

/** A result as apps/worker returns it. */
export function scoredResult(request: ScoreRequestBody): ScoreJobResult {
  return {
    item_id: request.item_id,
    source: "remote",
    confidence: 0.12,
    risk_score: 12,
    risk_level: "low",
    flagged: false,
    info_code: [],
    model_version: "risk-v3-2026-11",
    cost_usd: 0.0012,
    attempts: 1,
  };
}

/**
 * A BullMQ worker on the kit's queue, standing in for apps/worker: tiny on purpose. It uses its own
 * blocking connection (workers need `maxRetriesPerRequest: null`, unlike the API).
 */
export function startTestWorker(
  kit: ApiKit,
  processor: Processor<ScoreJobData, ScoreJobResult>,
): Worker<ScoreJobData, ScoreJobResult> {
  const url = new URL(kit.redisUrl);
  const worker = new Worker<ScoreJobData, ScoreJobResult>(QUEUES.score, processor, {
    connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
    prefix: kit.prefix,
    concurrency: 4,
  });
  worker.on("error", () => {});
  return worker;
}

export type ScoreJob = Job<ScoreJobData, ScoreJobResult>;

/**
 * A stand-in worker that kills every job it takes as apps/worker would: an UnrecoverableError naming
 * the reason of its item (`x: died in a test` as code and message), then the dead letter.
 */
export function startKillingWorker(
  kit: ApiKit,
  reasonOf: (itemId: string) => DeadLetterReason,
): Worker<ScoreJobData, ScoreJobResult> {
  const worker = startTestWorker(kit, async (job) => {
    throw new UnrecoverableError(`dead:${reasonOf(job.data.request.item_id)}:x: died in a test`);
  });
  worker.on("failed", (job) => {
    if (job) void kit.deadLetters.record(job as Job<ScoreJobDataWithHistory>);
  });
  return worker;
}

/** Polls until `check` returns a value (bounded by the test's own timeout). */
export async function eventually<T>(check: () => Promise<T | undefined>, everyMs = 25): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The set-up of the tests that drive the API in-process against hand-driven BullMQ workers: a fresh
 * Redis prefix and API per test, and whatever worker a test starts (`ctx.worker = …`) closed after it.
 */
export function useApiWithWorkers(options: Partial<Omit<StartApiOptions, "redisUrl" | "prefix">> = {}) {
  const suite = useTestRedis({ url: process.env.REDIS_URL });
  let kit: ApiKit | undefined;
  const start = (more: typeof options = {}) =>
    startApi({ ...options, ...more, redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
  const ctx = {
    /** Closes this test's API and starts another on the same prefix with these options on top. */
    async restart(more: typeof options): Promise<ApiKit> {
      await kit?.close();
      kit = await start(more);
      return kit;
    },
    worker: undefined as Worker | undefined,
    get kit(): ApiKit {
      if (!kit) throw new Error("the API kit exists only inside a test");
      return kit;
    },
    post: (url: string, body: unknown) =>
      ctx.kit.app.inject({ method: "POST", url, headers: AUTH, payload: body as object }),
  };
  beforeEach(async () => {
    kit = await start();
  });
  afterEach(async () => {
    await ctx.worker?.close();
    ctx.worker = undefined;
    await kit?.close();
  });
  return ctx;
}

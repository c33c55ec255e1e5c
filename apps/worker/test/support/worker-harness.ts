import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AlipayClient, type AlipayClientOptions, createAlipayClient } from "@riskq/alipay";
import { type ScoreJobData, type ScoreJobResult, type ScoreRequestBody, scoreJobId } from "@riskq/contracts";
import {
  createCallRateLimiter,
  createCircuitBreaker,
  createDeadLetterQueue,
  createScoreQueue,
  type DeadLetterQueue,
  DeadLetterStore,
  type ScoreJobDataWithHistory,
  type ScoreQueue,
} from "@riskq/pipeline";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import type { SandboxProcess } from "@riskq/testing";
import { type SandboxKitSuite, useSandboxKit } from "@riskq/testing/vitest";
import type { Job } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { buildWorker } from "../../src/build-worker";
import { type ScoreWorkerOptions, splitWorkerOptions } from "../../src/worker-options";

/** The model every test pins (live for 50 days after the sandbox's t0). */
export const MODEL = "risk-v3-2026-11";
/** The task of every generated request: it needs no card fingerprint. */
export const TASK = "transaction_anomaly";
export const MAX_ATTEMPTS = 8;

export type RunningWorker = Awaited<ReturnType<typeof buildWorker>>;
export type ScoreJob = Job<ScoreJobDataWithHistory, ScoreJobResult>;

/** Where every job of a test ended. */
interface Settled {
  completed: ScoreJob[];
  failed: ScoreJob[];
}

/** One test's worker world: its Redis prefix, queues, the worker's Alipay client and its workers. */
export interface WorkerKit {
  prefix: string;
  /** A worker-style connection (`maxRetriesPerRequest: null`) shared by queues, client and limiter. */
  connection: Redis;
  /** RISKQ_SECRET_KEY of this test: the worker's client and the onboarding use the same one. */
  secretKey: Buffer;
  /** The Alipay client the in-process workers use (same prefix and secret as onboarding). */
  alipay: AlipayClient;
  /** Another client of the same sandbox, Redis and sealing key, with these options on top (an observer, a timeout). */
  alipayWith(options: Partial<AlipayClientOptions>): AlipayClient;
  scoreQueue: ScoreQueue;
  deadQueue: DeadLetterQueue;
  deadLetters: DeadLetterStore;
  /** Runs `buildWorker` in-process with test defaults; closed after the test. */
  startWorker(overrides?: Partial<ScoreWorkerOptions>): Promise<RunningWorker>;
  /** Registers the merchant in the sandbox and onboards it through the worker's client. */
  onboard(...merchantIds: string[]): Promise<void>;
  /** Adds one `score` job per request, id `<merchant>-<item>`, as the API would; returns the ids. */
  enqueue(requests: readonly ScoreRequestBody[], options?: { deadlineAt?: number }): Promise<string[]>;
  /** Waits (bounded) until `expected` jobs are completed or failed and every failed one has its dead letter. */
  settle(expected: number, timeoutMs?: number): Promise<Settled>;
}

export type WorkerSuite = SandboxKitSuite<WorkerKit>;

/** Worker logs stay silent unless RISKQ_TEST_LOG names a level (debugging a failing test). */
export const testLogger = pino({ level: process.env.RISKQ_TEST_LOG ?? "silent" });

/**
 * The set-up every worker test file shares: one sandbox per file (reset before each test) and per
 * test a fresh Redis prefix, queues and Alipay client, torn down afterwards with every worker started.
 */
export function useWorkerKit(): WorkerSuite {
  return useSandboxKit("useWorkerKit", (sandbox, redis) => createWorkerKit(sandbox, redis.prefix), {
    redis: { url: process.env.REDIS_URL },
  });
}

function createWorkerKit(sandbox: SandboxProcess, prefix: string) {
  // Workers block on Redis: BullMQ requires no per-request retry limit.
  const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
    maxRetriesPerRequest: null,
  });
  const secretKey = randomBytes(32);
  const alipayWith = (options: Partial<AlipayClientOptions>) =>
    createAlipayClient({
      endpoint: sandbox.url,
      appId: sandbox.appId,
      appPrivateKey: sandbox.appPrivateKey,
      platformPublicKey: sandbox.platformPublicKey,
      redis: connection,
      prefix,
      secretKey,
      logger: testLogger,
      ...options,
    });
  const alipay = alipayWith({});
  const queueOptions = { connection, prefix, attempts: MAX_ATTEMPTS };
  const scoreQueue = createScoreQueue(queueOptions);
  const deadQueue = createDeadLetterQueue(queueOptions);
  const deadLetters = new DeadLetterStore(scoreQueue, deadQueue);
  const workers: RunningWorker[] = [];

  const kit: WorkerKit = {
    prefix,
    connection,
    secretKey,
    alipay,
    alipayWith,
    scoreQueue,
    deadQueue,
    deadLetters,
    async startWorker(overrides = {}) {
      // Overrides may be settings or collaborators alike; buildWorker takes them apart as main.ts gives them.
      const running = await buildWorker(
        ...splitWorkerOptions({
          connection,
          prefix,
          alipay,
          // Below the sandbox's default 10 batch calls/s, so tests without a 429 storm see none.
          limiter: createCallRateLimiter({ redis: connection, prefix, initialRate: 8 }),
          // Short open times: the breaker's behaviour, at test speed.
          breaker: createCircuitBreaker({ openMs: 1_000, maxOpenMs: 2_000 }),
          deadLetters,
          // Workers of one test are processes of one deployment: they count sends together.
          fairShare: { redis: connection },
          logger: testLogger,
          batchCap: 100,
          lingerMs: 50,
          concurrency: 100,
          maxAttempts: MAX_ATTEMPTS,
          defaultModelVersion: MODEL,
          expiredPolicy: "complete",
          maxRateLimitWaitMs: 3_600_000,
          sweepEveryMs: 1_000,
          lockMs: 5_000,
          ...overrides,
        }),
      );
      workers.push(running);
      return running;
    },
    async onboard(...merchantIds) {
      for (const merchantId of merchantIds) {
        const { auth_code } = await sandbox.control.createMerchant(merchantId);
        await alipay.onboardMerchant(merchantId, auth_code);
      }
    },
    async enqueue(requests, options = {}) {
      const now = Date.now();
      const jobs = requests.map((request) => {
        const data: ScoreJobData = {
          request,
          enqueued_at: now,
          deadline_at: options.deadlineAt ?? now + 120_000,
        };
        const id = scoreJobId(request.merchant_id, request.item_id);
        return { name: request.task, data, opts: { jobId: id } };
      });
      await scoreQueue.addBulk(jobs);
      return jobs.map((j) => j.opts.jobId);
    },
    async settle(expected, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const counts = await scoreQueue.getJobCounts(
          "completed",
          "failed",
          "active",
          "waiting",
          "delayed",
          "prioritized",
        );
        const done = (counts.completed ?? 0) + (counts.failed ?? 0);
        const letters = await deadQueue.count();
        if (done >= expected && letters >= (counts.failed ?? 0)) {
          const [completed, failed] = await Promise.all([
            scoreQueue.getCompleted(0, -1),
            scoreQueue.getFailed(0, -1),
          ]);
          return { completed: completed as ScoreJob[], failed: failed as ScoreJob[] };
        }
        if (Date.now() > until) {
          throw new Error(
            `jobs did not settle within ${timeoutMs} ms: ${JSON.stringify(counts)}, dead letters ${letters}`,
          );
        }
        await sleep(50);
      }
    },
  };

  const teardown = async () => {
    await Promise.allSettled(workers.map((w) => w.close()));
    await Promise.allSettled([scoreQueue.close(), deadQueue.close()]);
    const ended = once(connection, "end");
    await connection.quit().catch(() => connection.disconnect());
    await ended;
  };
  return { kit, teardown };
}

/** Requests of `count` realistic items spread over `merchantCount` synthetic merchants. */
export function trafficOf(seed: number, merchantCount: number, count: number) {
  const merchants = generateMerchants({ seed, count: merchantCount });
  const traffic = generateTraffic({ seed, merchants, count, start: "2026-11-26T08:00:00Z" });
  const requests: ScoreRequestBody[] = traffic.map((t) => ({ ...t.item, task: TASK }));
  return { merchantIds: merchants.map((m) => m.merchant_id), requests };
}

/** The codes a job's attempt history recorded (waits and failures), oldest first. */
export const historyOf = (job: ScoreJob): string[] => (job.data.history ?? []).map((h) => h.code);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value, failing with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

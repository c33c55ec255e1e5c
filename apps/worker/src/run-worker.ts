import type { AlipayClient, KeyHealth } from "@riskq/alipay";
import { type DeadlinePolicy, QUEUES, type ScoreJobResult } from "@riskq/contracts";
import {
  type BackoffOptions,
  backoffMs,
  type CallbackDestinationPolicy,
  type CallbackQueue,
  type CallRateLimiter,
  type CircuitBreaker,
  createMicroBatcher,
  createRedisBatchExchange,
  type DeadLetterStore,
  type OutcomeRecords,
  type Permit,
  type ScoreJobDataWithHistory,
  type ScoreQueue,
  startCallbackWorker,
} from "@riskq/pipeline";
import { builtInPrefilter, type Prefilter } from "@riskq/prefilter";
import { type ConnectionOptions, type Job, MetricsTime, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { type BatchItem, batchKey, CALL_BUCKETS, callBatch } from "./batching/batch-call";
import { startBatchCap } from "./batching/batch-cap";
import { createCallLatency } from "./batching/call-latency";
import { createFairShare } from "./batching/fair-share";
import type { BudgetWaitOptions } from "./budget/budget-wait";
import { createCostRecorder } from "./budget/cost-recorder";
import { traceJobs } from "./metrics/job-span";
import { createPrefilterStep, type PrefilterStepOptions } from "./prefilter/prefilter-step";
import { createAuditRescore } from "./scoring/audit-rescore";
import { createModelHealthCache } from "./scoring/model-health-cache";
import { createScoreProcessor } from "./scoring/score-processor";
import { createScoreRecorder } from "./scoring/score-recorder";
import { startDeadLetterSweeper } from "./upkeep/dead-letter-sweeper";
import { startKeyProbe } from "./upkeep/key-probe";

/** Drift bookkeeping of a worker: score windows per (model, task) and the degraded-model marks. */
export interface WorkerDriftOptions {
  /** A plain ioredis client (the windows and marks live under the worker's prefix). */
  redis: Redis;
  /** Drift window length (default 5 min); the scheduler's drift-check must use the same. */
  windowMs?: number;
  /** Clock that picks the window a batch's scores fall in (default the system clock). */
  now?: () => number;
  /** How long a read of the degraded marks is trusted (default 5 s). */
  degradedCacheMs?: number;
  /** Record the model retirement dates Alipay announces (DRIFT_MODEL_EXPIRY; default true). */
  useModelExpiry?: boolean;
  /** Model that takes the jobs of a degraded one (ALIPAY_FALLBACK_MODEL_VERSION); none dead-letters them. */
  fallbackModelVersion?: string | undefined;
}

export interface ScoreWorkerOptions {
  /** node-cron expression of this process's own AES key probe (UTC); "off" disables it. */
  keyProbeCron?: string;
  /** Told when this process's own key probe finds its AES key rejected (the key is rotated at once). */
  onKeyRejected?: (probe: KeyHealth) => Promise<void>;
  /** Called with the BullMQ worker as soon as it exists, before any job can end: metrics listen here. */
  observe?: (worker: Worker<ScoreJobDataWithHistory, ScoreJobResult>) => void;
  connection: ConnectionOptions;
  prefix: string;
  alipay: AlipayClient;
  limiter: CallRateLimiter;
  breaker: CircuitBreaker;
  deadLetters: DeadLetterStore;
  logger: Logger;
  /** The configured batch limit (BATCH_CAP, documented 100). */
  batchCap: number;
  /** ALIPAY_YOUNG_ACCOUNT: the account is known to be young, so start at 50 (batching/batch-cap.ts). */
  youngAccount?: boolean;
  /** The cap a lowered one is probed back up to (BATCH_CAP; default `batchCap`). */
  batchCapMaximum?: number;
  /** BATCH_CAP_PROBE_MS: how long without truncations before a lowered cap is probed (default 10 min). */
  batchCapProbeMs?: number;
  /** Reports the cap whenever it is read (metrics). */
  onBatchCap?: (read: () => number) => void;
  /** RISKQ_ON_DEADLINE: how jobs no remote score can reach in time are decided (default `local`). */
  onDeadline?: DeadlinePolicy;
  /** RISKQ_DEADLINE_MARGIN_MS: jobs are decided this long before their deadline (default 50). */
  deadlineMarginMs?: number;
  /** The local model of the `local` deadline policy (default the built-in pre-filter). */
  deadlinePrefilter?: Prefilter;
  /**
   * How much a merchant's call in the last second delays its next batch in the permit order, in ms
   * of deadline (default 1 000): the fair share between merchants (batching/fair-share.ts).
   */
  fairSharePenaltyMs?: number;
  lingerMs: number;
  /** Jobs in flight per process; at least the batch cap, or batches can never fill. */
  concurrency: number;
  maxAttempts: number;
  defaultModelVersion: string;
  expiredPolicy: "complete" | "dead-letter";
  maxRateLimitWaitMs: number;
  sweepEveryMs?: number;
  /** BullMQ lock duration and stalled-check interval (default 30 s). */
  lockMs?: number;
  /**
   * Result callbacks: completed jobs queue theirs here (give `deadLetters` the same queue for dead
   * ones), and this process also delivers them, signed with `secret`. Without it none are sent.
   */
  callbacks?: {
    queue: CallbackQueue;
    secret: string;
    concurrency: number;
    backoff?: BackoffOptions;
    /** Where deliveries may go (RISKQ_CALLBACK_ALLOWED_HOSTS; https in production). */
    destinations?: CallbackDestinationPolicy;
  };
  /** Records scores for drift detection and honours degraded marks; without it neither happens. */
  drift?: WorkerDriftOptions;
  /**
   * Merges the batches of one (merchant, task, model) across worker processes through Redis, so
   * several workers under a rate limit still send few, full calls (WORKER_SHARED_BATCHES).
   */
  sharedBatches?: { redis: Redis; leaseMs?: number; giveUpMs?: number };
  /**
   * The cost ledger and recorded traffic (docs/budget-and-cost.md, "Cost"): every call's billing, per UTC day
   * of `now` (default the system clock), kept `retentionDays` (default 400). Without it nothing is booked.
   */
  cost?: { redis: Redis; now?: () => number; retentionDays?: number };
  /**
   * The budget guard and what stopped jobs do (docs/budget-and-cost.md, "Budget"); without it calls are
   * not budgeted.
   */
  budget?: BudgetWaitOptions;
  /**
   * The local pre-filter (docs/prefilter.md, "Pre-filter"; RISKQ_PREFILTER); without it every job goes to
   * Alipay.
   */
  prefilter?: PrefilterStepOptions;
  /**
   * RISKQ_RESCORE_DEGRADED: degraded decisions are re-scored remotely at the lowest priority, the
   * verdict stored next to the decision (scoring/audit-rescore.ts); `queue` is the score queue to add them to.
   */
  rescoreDegraded?: { queue: ScoreQueue; redis: Redis };
  /**
   * Idempotency records (RISKQ_IDEMPOTENCY_TTL): completed jobs write theirs before they complete
   * (give `deadLetters` the same store for dead ones). Without it none are kept.
   */
  outcomes?: OutcomeRecords;
}

/**
 * A worker process's scoring loop: a BullMQ Worker on `score` whose processors meet in micro-batches,
 * plus the dead-letter bookkeeping. `close()` is the graceful shutdown: stop fetching, flush the
 * batches, let in-flight calls finish.
 */
export async function runScoreWorker(options: ScoreWorkerOptions) {
  const { logger } = options;
  const drift = options.drift;
  const recordScores =
    drift &&
    createScoreRecorder({
      redis: drift.redis,
      prefix: options.prefix,
      logger,
      ...(drift.windowMs === undefined ? {} : { windowMs: drift.windowMs }),
      ...(drift.now === undefined ? {} : { now: drift.now }),
      ...(drift.useModelExpiry === undefined ? {} : { useModelExpiry: drift.useModelExpiry }),
    });
  const models = drift && {
    health: createModelHealthCache({
      redis: drift.redis,
      prefix: options.prefix,
      ...(drift.degradedCacheMs === undefined ? {} : { ttlMs: drift.degradedCacheMs }),
    }),
    defaultModelVersion: options.defaultModelVersion,
    fallbackModelVersion: drift.fallbackModelVersion,
  };
  const recordCost =
    options.cost &&
    createCostRecorder({
      ...options.cost,
      prefix: options.prefix,
      logger: logger.child({ component: "cost" }),
    });
  const batchCap = await startBatchCap({
    configured: options.batchCap,
    ...(options.youngAccount === undefined ? {} : { youngAccount: options.youngAccount }),
    ...(options.batchCapMaximum === undefined ? {} : { maximum: options.batchCapMaximum }),
    ...(options.batchCapProbeMs === undefined ? {} : { probeAfterMs: options.batchCapProbeMs }),
    alipay: options.alipay,
    logger,
  });
  options.onBatchCap?.(batchCap.peek);
  const concurrency = Math.max(options.concurrency, batchCap.peek());
  const marginMs = options.deadlineMarginMs ?? 50;
  const callLatency = createCallLatency({ initialMs: 0 });
  const fairShare = createFairShare({ penaltyMs: options.fairSharePenaltyMs ?? 1_000 });
  const merchantOf = (key: string) => key.slice(0, key.indexOf("|"));
  const exchange =
    options.sharedBatches &&
    (await createRedisBatchExchange<BatchItem, ScoreJobResult>({
      ...options.sharedBatches,
      prefix: options.prefix,
      logger: logger.child({ component: "batch-exchange" }),
    }));
  const batcher = createMicroBatcher<BatchItem, ScoreJobResult, Permit>({
    keyOf: batchKey,
    cap: () => batchCap.current(),
    lingerMs: options.lingerMs,
    // Every job slot of this process is in a batch: nothing more can join, so send without lingering.
    maxHeld: concurrency,
    // Waiting for the call permit happens while the batch still fills: under a rate limit the calls
    // we may make carry as many items as the cap allows.
    // Earliest deadline first, with each merchant's recent calls counted against it (fair share).
    gate: async (key, { deadline, signal }) => {
      const merchant = merchantOf(key);
      const permit = await options.limiter.acquire(CALL_BUCKETS, {
        signal,
        priority: fairShare.priority(merchant, deadline),
      });
      fairShare.granted(merchant);
      return permit;
    },
    deadlineOf: (item) => item.data.deadline_at - marginMs,
    // No call for items whose deadline comes before a typical answer would.
    minTimeLeftMs: () => callLatency.medianMs(),
    ...(exchange ? { exchange } : {}),
    flush: (_key, items, permit) =>
      callBatch(
        {
          alipay: options.alipay,
          limiter: options.limiter,
          breaker: options.breaker,
          defaultModelVersion: options.defaultModelVersion,
          onTruncated: (answered) => batchCap.truncated(answered),
          deadlines: { marginMs },
          onCallTime: (ms) => callLatency.record(ms),
          ...(recordScores ? { recordScores } : {}),
          ...(recordCost ? { recordCost, batchCap: batchCap.peek() } : {}),
          ...(options.budget ? { budget: options.budget.guard } : {}),
        },
        items,
        permit,
      ),
  });

  const prefilterStep =
    options.prefilter &&
    createPrefilterStep({
      ...options.prefilter,
      // A locally decided job is traffic too: the simulator re-prices it with the pre-filter off.
      ...(recordCost
        ? {
            onLocalDecision: (request, bucket) =>
              recordCost.local({
                task: request.task,
                modelVersion: request.model_version ?? options.defaultModelVersion,
                bucket,
              }),
          }
        : {}),
    });
  const worker = new Worker<ScoreJobDataWithHistory, ScoreJobResult>(
    QUEUES.score,
    traceJobs(
      createScoreProcessor({
        batcher,
        breaker: options.breaker,
        maxAttempts: options.maxAttempts,
        deadline: {
          policy: options.onDeadline ?? "local",
          marginMs,
          prefilter: options.deadlinePrefilter ?? options.prefilter?.prefilter ?? builtInPrefilter(),
          expiredPolicy: options.expiredPolicy,
        },
        callLatency,
        maxRateLimitWaitMs: options.maxRateLimitWaitMs,
        defaultModelVersion: options.defaultModelVersion,
        ...(options.callbacks ? { callbacks: options.callbacks.queue } : {}),
        ...(models ? { models } : {}),
        ...(options.budget ? { budget: options.budget } : {}),
        ...(prefilterStep ? { prefilter: prefilterStep } : {}),
        ...(options.outcomes ? { outcomes: options.outcomes } : {}),
        ...(options.rescoreDegraded
          ? {
              audit: createAuditRescore({
                ...options.rescoreDegraded,
                prefix: options.prefix,
                logger: logger.child({ component: "audit" }),
              }),
            }
          : {}),
      }),
    ),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency,
      // A job whose worker died is retried at most this often; past it BullMQ fails it (→ `stalled`).
      maxStalledCount: 2,
      lockDuration: options.lockMs ?? 30_000,
      stalledInterval: options.lockMs ?? 30_000,
      settings: { backoffStrategy: (attemptsMade: number) => backoffMs(attemptsMade) },
      // Per-minute completed/failed counts for a week: the data of Bull Board's charts.
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    },
  );

  worker.on("failed", (job: Job<ScoreJobDataWithHistory> | undefined, err: Error) => {
    if (!job) return;
    const final =
      err instanceof UnrecoverableError ||
      err.name === "UnrecoverableError" ||
      job.attemptsMade >= options.maxAttempts;
    if (!final) return;
    // If this process dies right here, the sweeper writes the dead letter from the failed set later.
    options.deadLetters.record(job).then(
      (letter) => logger.warn({ jobId: job.id, reason: letter.reason }, "job dead-lettered"),
      (recordErr) =>
        logger.error({ jobId: job.id, err: recordErr }, "could not record dead letter; the sweeper will"),
    );
  });
  worker.on("error", (err) => logger.error({ err }, "worker error"));
  options.observe?.(worker);

  // Deliveries run on their own BullMQ worker: a slow receiver never holds a score job.
  const deliverer =
    options.callbacks &&
    startCallbackWorker({
      connection: options.connection,
      prefix: options.prefix,
      secret: options.callbacks.secret,
      concurrency: options.callbacks.concurrency,
      // A crashed process's deliveries go to another as soon as its score jobs do.
      ...(options.lockMs === undefined ? {} : { lockMs: options.lockMs }),
      logger: logger.child({ component: "callbacks" }),
      ...(options.callbacks.backoff ? { backoff: options.callbacks.backoff } : {}),
      ...(options.callbacks.destinations ? { destinations: options.callbacks.destinations } : {}),
    });

  const sweeper = startDeadLetterSweeper(options.deadLetters, logger, options.sweepEveryMs);
  const keyProbe =
    options.keyProbeCron === "off"
      ? undefined
      : startKeyProbe({
          alipay: options.alipay,
          logger,
          ...(options.keyProbeCron ? { expression: options.keyProbeCron } : {}),
          ...(options.onKeyRejected ? { onKeyRejected: options.onKeyRejected } : {}),
        });
  await sweeper.sweepNow();

  return {
    worker,
    /** Current batch cap (lowered by truncations, probed back up). */
    batchCap: batchCap.peek,
    /**
     * Jobs whose items this process holds in batches or calls in flight. An active job may not be
     * here yet (still judged or routed): `close()` hands such jobs to other workers.
     */
    itemsInBatches: () => batcher.held(),
    async close(): Promise<void> {
      // Stop fetching first; jobs already active await their batches, which the batcher flushes.
      const closing = worker.close();
      await batcher.close();
      await exchange?.close();
      await closing;
      await sweeper.stop();
      await keyProbe?.stop();
      await prefilterStep?.close();
      // Last, so the callbacks of the jobs just finished are still sent (or left queued for others).
      await deliverer?.close();
    },
  };
}

import { QUEUES, type ScoreJobResult } from "@riskq/contracts";
import {
  backoffMs,
  createMicroBatcher,
  createRedisBatchExchange,
  type Permit,
  PromptStartWorker,
  type ScoreJobDataWithHistory,
  startCallbackWorker,
} from "@riskq/pipeline";
import { builtInPrefilter } from "@riskq/prefilter";
import { type Job, MetricsTime, UnrecoverableError } from "bullmq";
import { type BatchItem, batchKey, CALL_BUCKETS, callBatch } from "./batching/batch-call";
import { startBatchCap } from "./batching/batch-cap";
import { createCallLatency } from "./batching/call-latency";
import { createFairGate } from "./batching/fair-gate";
import { createFairShare, FAIR_SHARE_PENALTY_INTERVALS } from "./batching/fair-share";
import { redisSendLog } from "./batching/send-log";
import { createCostRecorder } from "./budget/cost-recorder";
import { traceJobs } from "./metrics/job-span";
import { createPrefilterStep } from "./prefilter/prefilter-step";
import { createAuditRescore } from "./scoring/audit-rescore";
import { createModelHealthCache } from "./scoring/model-health-cache";
import { createScoreProcessor } from "./scoring/score-processor";
import { createScoreRecorder } from "./scoring/score-recorder";
import { startDeadLetterSweeper } from "./upkeep/dead-letter-sweeper";
import { startKeyProbe } from "./upkeep/key-probe";
import { DEFAULT_DEADLINE_MARGIN_MS, type WorkerConfig, type WorkerDeps } from "./worker-options";

/**
 * The worker's composition root: a BullMQ Worker on `score` whose processors meet in micro-batches,
 * plus the callback deliverer, the dead-letter sweeper and the key probe. main.ts and the test harness
 * both build the worker here, so tests run the objects production runs. `close()` is the graceful
 * shutdown: stop fetching, flush the batches, let in-flight calls finish.
 */
export async function buildWorker(config: WorkerConfig, deps: WorkerDeps) {
  const { logger } = deps;
  const drift = deps.drift;
  const recordScores =
    drift &&
    createScoreRecorder({
      redis: drift.redis,
      prefix: config.prefix,
      logger,
      windowMs: drift.windowMs,
      now: drift.now,
      useModelExpiry: drift.useModelExpiry,
    });
  const models = drift && {
    health: createModelHealthCache({
      redis: drift.redis,
      prefix: config.prefix,
      ttlMs: drift.degradedCacheMs,
    }),
    defaultModelVersion: config.defaultModelVersion,
    fallbackModelVersion: drift.fallbackModelVersion,
  };
  const recordCost =
    deps.cost &&
    createCostRecorder({
      ...deps.cost,
      prefix: config.prefix,
      logger: logger.child({ component: "cost" }),
    });
  const batchCap = await startBatchCap({
    configured: config.batchCap,
    youngAccount: config.youngAccount,
    maximum: config.batchCapMaximum,
    probeAfterMs: config.batchCapProbeMs,
    alipay: deps.alipay,
    logger,
  });
  deps.onBatchCap?.(batchCap.peek);
  const concurrency = Math.max(config.concurrency, batchCap.peek());
  const marginMs = config.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS;
  const callLatency = createCallLatency({ initialMs: 0 });
  const fairShare = createFairShare({
    penaltyIntervals: config.fairSharePenaltyIntervals ?? FAIR_SHARE_PENALTY_INTERVALS,
    // Every process's sends, as the priorities of every process are compared with one another.
    ...(deps.fairShare ? { log: redisSendLog({ redis: deps.fairShare.redis, prefix: config.prefix }) } : {}),
    // The pace of all processes together: the binding one of the call's buckets.
    callRate: () => {
      const rates = CALL_BUCKETS.map((bucket) => deps.limiter.seenRate(bucket));
      return rates.every((rate) => rate !== undefined) ? Math.min(...(rates as number[])) : undefined;
    },
  });
  const fairGate = createFairGate({ limiter: deps.limiter, buckets: CALL_BUCKETS, fairShare });
  const merchantOf = (key: string) => key.slice(0, key.indexOf("|"));
  const exchange =
    deps.sharedBatches &&
    (await createRedisBatchExchange<BatchItem, ScoreJobResult>({
      ...deps.sharedBatches,
      prefix: config.prefix,
      logger: logger.child({ component: "batch-exchange" }),
    }));
  const batcher = createMicroBatcher<BatchItem, ScoreJobResult, Permit>({
    keyOf: batchKey,
    cap: () => batchCap.current(),
    lingerMs: config.lingerMs,
    // Every job slot of this process is in a batch: nothing more can join, so send without lingering.
    maxHeld: concurrency,
    // Waiting for the call permit happens while the batch still fills: under a rate limit the calls
    // we may make carry as many items as the cap allows.
    // Earliest deadline first, with what each merchant sent beyond its share counted against it
    // (the penalty looked at again while the batch waits: fair-gate.ts).
    gate: (key, { deadlineNow, signal }) => fairGate(merchantOf(key), deadlineNow, signal),
    deadlineOf: (item) => item.data.deadline_at - marginMs,
    // No call for items whose deadline comes before a typical answer would.
    minTimeLeftMs: () => callLatency.medianMs(),
    ...(exchange ? { exchange } : {}),
    flush: (key, items, permit) => {
      void fairShare.sent(merchantOf(key));
      return callBatch(
        {
          alipay: deps.alipay,
          limiter: deps.limiter,
          breaker: deps.breaker,
          defaultModelVersion: config.defaultModelVersion,
          onTruncated: (answered) => batchCap.truncated(answered),
          deadlines: { marginMs },
          onCallTime: (ms) => callLatency.record(ms),
          ...(recordScores ? { recordScores } : {}),
          ...(recordCost ? { recordCost, batchCap: batchCap.peek() } : {}),
          ...(deps.budget ? { budget: deps.budget.guard } : {}),
        },
        items,
        permit,
      );
    },
  });

  const prefilterStep =
    deps.prefilter &&
    createPrefilterStep({
      ...deps.prefilter,
      // A locally decided job is traffic too: the simulator re-prices it with the pre-filter off.
      ...(recordCost
        ? {
            onLocalDecision: (request, bucket) =>
              recordCost.local({
                task: request.task,
                modelVersion: request.model_version ?? config.defaultModelVersion,
                bucket,
              }),
          }
        : {}),
    });
  // Starts what it fetched at least every 100 ms, however many jobs wait (prompt-start-worker.ts).
  const worker = new PromptStartWorker<ScoreJobDataWithHistory, ScoreJobResult>(
    QUEUES.score,
    traceJobs(
      createScoreProcessor({
        batcher,
        breaker: deps.breaker,
        maxAttempts: config.maxAttempts,
        deadline: {
          policy: config.onDeadline ?? "local",
          marginMs,
          prefilter: deps.deadlinePrefilter ?? deps.prefilter?.prefilter ?? builtInPrefilter(),
          expiredPolicy: config.expiredPolicy,
        },
        callLatency,
        maxRateLimitWaitMs: config.maxRateLimitWaitMs,
        defaultModelVersion: config.defaultModelVersion,
        ...(deps.callbacks ? { callbacks: deps.callbacks.queue } : {}),
        ...(models ? { models } : {}),
        ...(deps.budget ? { budget: deps.budget } : {}),
        ...(prefilterStep ? { prefilter: prefilterStep } : {}),
        ...(deps.outcomes ? { outcomes: deps.outcomes } : {}),
        ...(deps.rescoreDegraded
          ? {
              audit: createAuditRescore({
                ...deps.rescoreDegraded,
                prefix: config.prefix,
                logger: logger.child({ component: "audit" }),
              }),
            }
          : {}),
      }),
    ),
    {
      connection: deps.connection,
      prefix: config.prefix,
      concurrency,
      // A job whose worker died is retried at most this often; past it BullMQ fails it (→ `stalled`).
      maxStalledCount: 2,
      lockDuration: config.lockMs ?? 30_000,
      stalledInterval: config.lockMs ?? 30_000,
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
      job.attemptsMade >= config.maxAttempts;
    if (!final) return;
    // If this process dies right here, the sweeper writes the dead letter from the failed set later.
    deps.deadLetters.record(job).then(
      (letter) => logger.warn({ jobId: job.id, reason: letter.reason }, "job dead-lettered"),
      (recordErr) =>
        logger.error({ jobId: job.id, err: recordErr }, "could not record dead letter; the sweeper will"),
    );
  });
  worker.on("error", (err) => logger.error({ err }, "worker error"));
  deps.observe?.(worker);

  // Deliveries run on their own BullMQ worker: a slow receiver never holds a score job.
  const deliverer =
    deps.callbacks &&
    startCallbackWorker({
      connection: deps.connection,
      prefix: config.prefix,
      secret: deps.callbacks.secret,
      concurrency: deps.callbacks.concurrency,
      // A crashed process's deliveries go to another as soon as its score jobs do.
      lockMs: config.lockMs,
      logger: logger.child({ component: "callbacks" }),
      ...(deps.callbacks.backoff ? { backoff: deps.callbacks.backoff } : {}),
      ...(deps.callbacks.destinations ? { destinations: deps.callbacks.destinations } : {}),
    });

  const sweeper = startDeadLetterSweeper(deps.deadLetters, logger, config.sweepEveryMs);
  const keyProbe =
    config.keyProbeCron === "off"
      ? undefined
      : startKeyProbe({
          alipay: deps.alipay,
          logger,
          ...(config.keyProbeCron ? { expression: config.keyProbeCron } : {}),
          ...(deps.onKeyRejected ? { onKeyRejected: deps.onKeyRejected } : {}),
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

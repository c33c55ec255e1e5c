import { createAlipayClient } from "@riskq/alipay";
import { alipayClientConfig, configOrExit, exitOnConfigError } from "@riskq/config";
import { announceReady, stopOnSignals } from "@riskq/lifecycle";
import { serveMetrics } from "@riskq/metrics";
import { createLogger } from "@riskq/observability";
import {
  createCallbackQueue,
  createCallRateLimiter,
  createCircuitBreaker,
  createDeadLetterQueue,
  createScoreQueue,
  DeadLetterStore,
  OutcomeRecords,
} from "@riskq/pipeline";
import { coalesceWrites, connectRedis } from "@riskq/redis";
import { startTracing, tracingSettings } from "@riskq/tracing/sdk";
import { createWorkerAlerts } from "./alerts/worker-alerts";
import { createWorkerBudget } from "./budget/worker-budget";
import { buildWorker } from "./build-worker";
import { createWorkerMetrics } from "./metrics/worker-metrics";
import { createWorkerPrefilter } from "./prefilter/worker-prefilter";
import { checkEvictionPolicy } from "./upkeep/eviction-policy";
import { workerConfigOf } from "./worker-config";
import { workerEnv } from "./worker-env";

// The only file of the worker that reads process.env.
const env = configOrExit(workerEnv, process.env);
const alipayConfig = exitOnConfigError(() => alipayClientConfig(env));

const logger = createLogger({ name: "worker", level: env.LOG_LEVEL });
// Tracing (README: Tracing): off unless the standard OTEL_* variables ask for it.
const tracing = startTracing({
  settings: exitOnConfigError(() => tracingSettings(process.env, "riskq-worker")),
  logger,
});
// Workers block on Redis: no per-request retry limit (BullMQ requires it), reconnect forever.
const redis = connectRedis(env.REDIS_URL, { maxRetriesPerRequest: null });
coalesceWrites(redis);

const warning = await checkEvictionPolicy(redis, env.RISKQ_ALLOW_EVICTION).catch((err: Error) => {
  logger.fatal(err.message);
  process.exit(1);
});
if (warning) logger.warn(warning);

const breaker = createCircuitBreaker();
const limiter = createCallRateLimiter({
  redis,
  prefix: env.RISKQ_PREFIX,
  initialRate: env.ALIPAY_INITIAL_RATE,
});
const metrics = createWorkerMetrics({ breaker, limiter });
const alipay = createAlipayClient({
  ...alipayConfig,
  redis,
  prefix: env.RISKQ_PREFIX,
  logger: logger.child({ component: "alipay" }),
  onCall: metrics.onAlipayCall,
  // The longest any call may take; a scoring call gets less when its batch's deadline is nearer.
  defaultTimeoutMs: env.ALIPAY_CALL_TIMEOUT_MS,
});
const queueOptions = { connection: redis, prefix: env.RISKQ_PREFIX, attempts: env.JOB_ATTEMPTS };
const scoreQueue = createScoreQueue(queueOptions);
const callbackQueue = createCallbackQueue({ connection: redis, prefix: env.RISKQ_PREFIX });
const deadQueue = createDeadLetterQueue(queueOptions);
// Dead letters and circuit openings are alerted (the scheduler's alerter delivers them).
const alerts = createWorkerAlerts({ redis, prefix: env.RISKQ_PREFIX, logger });
// Idempotency records (docs/pipeline.md, "Idempotency"): written as jobs complete or die.
const outcomes = new OutcomeRecords({ redis, prefix: env.RISKQ_PREFIX, ttlMs: env.RISKQ_IDEMPOTENCY_TTL });
const deadLetters = new DeadLetterStore(
  scoreQueue,
  deadQueue,
  undefined,
  callbackQueue,
  metrics.countDeadLetters(alerts.deadLetterHooks),
  outcomes,
);
alerts.watchBreaker(breaker);
// Budgets (docs/budget-and-cost.md, "Budget"): none configured, none checked.
const budget = createWorkerBudget({ env, redis, prefix: env.RISKQ_PREFIX, logger });
if (budget) metrics.watchBudgets(() => budget.guard.status());
// The local pre-filter (docs/prefilter.md, "Pre-filter"): a model that cannot be loaded stops the worker at
// start.
const prefilter = await createWorkerPrefilter({ env, redis, prefix: env.RISKQ_PREFIX, logger }).catch(
  (err: Error) => {
    logger.fatal(err.message);
    process.exit(1);
  },
);

const running = await buildWorker(workerConfigOf(env), {
  connection: redis,
  outcomes,
  alipay,
  limiter,
  breaker,
  deadLetters,
  observe: metrics.watchWorker,
  logger,
  onBatchCap: metrics.watchBatchCap,
  onKeyRejected: alerts.keyRejected,
  ...(prefilter ? { prefilter } : {}),
  callbacks: {
    queue: callbackQueue,
    secret: env.RISKQ_CALLBACK_SECRET,
    concurrency: env.CALLBACK_CONCURRENCY,
    // Results travel signed but not sealed: production sends them over https unless the host is opened.
    destinations: {
      allowList: env.RISKQ_CALLBACK_ALLOWED_HOSTS,
      requireHttps: env.NODE_ENV === "production",
    },
  },
  ...(env.WORKER_SHARED_BATCHES ? { sharedBatches: { redis } } : {}),
  fairShare: { redis },
  ...(env.RISKQ_RESCORE_DEGRADED === "on" ? { rescoreDegraded: { queue: scoreQueue, redis } } : {}),
  ...(budget ? { budget } : {}),
  // Every call's billing, and the traffic the cost simulator re-prices (docs/budget-and-cost.md, "Cost").
  cost: { redis, retentionDays: env.COST_RETENTION_DAYS },
  drift: {
    redis,
    windowMs: env.DRIFT_WINDOW_MS,
    useModelExpiry: env.DRIFT_MODEL_EXPIRY === "use",
    fallbackModelVersion: env.ALIPAY_FALLBACK_MODEL_VERSION,
  },
});
const metricsServer = await serveMetrics(metrics.registry, {
  host: env.METRICS_HOST,
  port: env.WORKER_METRICS_PORT,
  logger,
});
logger.info({ pid: process.pid, batchCap: running.batchCap(), metrics: metricsServer?.url }, "worker ready");
announceReady({ event: "worker-ready", pid: process.pid, metrics: metricsServer?.url ?? null });

stopOnSignals({
  signals: ["SIGINT", "SIGTERM"],
  logger,
  stoppingMessage: "shutting down: no new jobs, flushing batches",
  graceMs: env.SHUTDOWN_GRACE_MS,
  overdueMessage: "grace period over; exiting with jobs in flight (they will be retried elsewhere)",
  // A second signal must not cut the batches being flushed.
  ignoreRepeatedSignals: true,
  async close() {
    await running.close();
    await Promise.all([scoreQueue.close(), callbackQueue.close(), metricsServer?.close()]);
    await redis.quit();
    // Last: the spans of the jobs just flushed are exported too.
    await tracing.shutdown();
  },
});

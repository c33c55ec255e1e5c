import { createAlipayClient } from "@riskq/alipay";
import { alipayClientConfig, configOrExit, exitOnConfigError } from "@riskq/config";
import { announceReady, stopOnSignals } from "@riskq/lifecycle";
import { createLogger } from "@riskq/observability";
import {
  createDeadLetterQueue,
  createMaintenanceQueue,
  createScoreQueue,
  DeadLetterStore,
  OutcomeRecords,
} from "@riskq/pipeline";
import { startTracing, tracingSettings } from "@riskq/tracing/sdk";
import { createApiMetrics } from "./api-metrics";
import { apiEnv, REPO_ROOT } from "./config";
import { createApiRedis } from "./redis-connection";
import { createOutcomeEvents } from "./scores/outcome-events";
import { OutcomeWakeups } from "./scores/outcome-wakeups";
import { buildApi } from "./server";

// The only file of the API that reads process.env.
const env = configOrExit(apiEnv(REPO_ROOT), process.env);
const logger = createLogger({ name: "api", level: env.LOG_LEVEL });
// Tracing (README: Tracing): off unless the standard OTEL_* variables ask for it.
const tracing = startTracing({
  settings: exitOnConfigError(() => tracingSettings(process.env, "riskq-api")),
  logger,
});

const alipayConfig = exitOnConfigError(() => alipayClientConfig(env));

const redis = createApiRedis(env.REDIS_URL, logger);
const queueOptions = { connection: redis, prefix: env.RISKQ_PREFIX };
const scoreQueue = createScoreQueue(queueOptions);
const deadQueue = createDeadLetterQueue(queueOptions);
// Only counted, for GET /metrics (the scheduler owns its jobs).
const maintenanceQueue = createMaintenanceQueue(queueOptions);
// Connection trouble is already logged once per outage by createApiRedis; without a listener an
// 'error' event would crash the process.
for (const queue of [scoreQueue, deadQueue, maintenanceQueue]) queue.on("error", () => {});
const outcomeEvents = createOutcomeEvents({ redisUrl: env.REDIS_URL, prefix: env.RISKQ_PREFIX });

const metrics = createApiMetrics({ redis, scoreQueue, deadQueue, maintenanceQueue });
const alipay = createAlipayClient({
  ...alipayConfig,
  redis,
  prefix: env.RISKQ_PREFIX,
  logger: logger.child({ component: "alipay" }),
  onCall: metrics.onAlipayCall,
});

// Idempotency records (docs/pipeline.md, "Idempotency"): duplicates of jobs gone from the queue are answered
// from them.
const outcomes = new OutcomeRecords({ redis, prefix: env.RISKQ_PREFIX, ttlMs: env.RISKQ_IDEMPOTENCY_TTL });
const app = buildApi({
  redis,
  scoreQueue,
  deadLetters: new DeadLetterStore(scoreQueue, deadQueue, undefined, undefined, {}, outcomes),
  outcomes,
  alipay,
  apiKeys: env.RISKQ_API_KEYS,
  logger,
  maxBacklog: env.RISKQ_MAX_BACKLOG,
  maxWaitingJobs: env.RISKQ_MAX_WAITING_JOBS,
  fairSharePerS: env.RISKQ_FAIR_SHARE_PER_S,
  callbackDestinations: {
    allowList: env.RISKQ_CALLBACK_ALLOWED_HOSTS,
    requireHttps: env.NODE_ENV === "production",
  },
  metrics: metrics.registry,
  outcomeWakeups: new OutcomeWakeups(outcomeEvents),
});

// BullMQ holds its first command until the connection is ready: start answering only once Redis is
// there, so no early request waits on it. Later outages are answered with 503 at once.
logger.info({ redis: env.REDIS_URL.replace(/\/\/[^@]*@/, "//***@") }, "waiting for Redis");
await Promise.all([scoreQueue.waitUntilReady(), deadQueue.waitUntilReady()]);
const url = await app.listen({ port: env.API_PORT, host: env.API_HOST });
logger.info({ url }, "riskq API listening");
// The ready line supervisors and tests wait for (same shape as the sandbox's and the worker's).
announceReady({ event: "listening", url });

stopOnSignals({
  signals: ["SIGINT", "SIGTERM"],
  logger,
  stoppingMessage: "shutting down: finishing requests in flight",
  // Waits (?wait_ms) last at most 10 s; past the grace period, leave anyway.
  graceMs: 15_000,
  async close() {
    await app.close();
    await Promise.allSettled([
      scoreQueue.close(),
      deadQueue.close(),
      maintenanceQueue.close(),
      outcomeEvents.close(),
    ]);
    await redis.quit().catch(() => redis.disconnect());
    await tracing.shutdown();
  },
});

import { createAlipayClient } from "@riskq/alipay";
import { alipayClientConfig, configOrExit, exitOnConfigError } from "@riskq/config";
import { announceReady, stopOnSignals } from "@riskq/lifecycle";
import { serveMetrics } from "@riskq/metrics";
import { createLogger } from "@riskq/observability";
import { connectRedis } from "@riskq/redis";
import { startTracing, tracingSettings } from "@riskq/tracing/sdk";
import { runScheduler } from "./run-scheduler";
import { schedulerEnv } from "./scheduler-env";
import { createSchedulerMetrics } from "./scheduler-metrics";
import { declaredSchedules } from "./schedules";

// The only file of the scheduler that reads process.env.
const env = configOrExit(schedulerEnv, process.env);
const alipayConfig = exitOnConfigError(() => alipayClientConfig(env));

const logger = createLogger({ name: "scheduler", level: env.LOG_LEVEL });
// Tracing (README: Tracing): off unless the standard OTEL_* variables ask for it.
const tracing = startTracing({
  settings: exitOnConfigError(() => tracingSettings(process.env, "riskq-scheduler")),
  logger,
});
// The maintenance worker blocks on Redis: no per-request retry limit (BullMQ requires it).
const redis = connectRedis(env.REDIS_URL, { maxRetriesPerRequest: null });

const metrics = createSchedulerMetrics();
const alipay = createAlipayClient({
  ...alipayConfig,
  redis,
  prefix: env.RISKQ_PREFIX,
  logger: logger.child({ component: "alipay" }),
  onCall: metrics.onAlipayCall,
});
metrics.watchCredentials(alipay, () => Date.now());

const running = await runScheduler({
  connection: redis,
  prefix: env.RISKQ_PREFIX,
  alipay,
  logger,
  concurrency: env.SCHEDULER_CONCURRENCY,
  redis,
  driftWindowMs: env.DRIFT_WINDOW_MS,
  alerts: {
    webhookUrls: env.RISKQ_ALERT_WEBHOOK_URLS,
    alertmanagerUrls: env.RISKQ_ALERTMANAGER_URL,
    alertmanagerResendMs: env.ALERT_ALERTMANAGER_RESEND_MS,
    dashboardUrl: env.DASHBOARD_URL,
    groupWaitMs: env.ALERT_GROUP_WAIT_MS,
    groupIntervalMs: env.ALERT_GROUP_INTERVAL_MS,
    repeatIntervalMs: env.ALERT_REPEAT_INTERVAL_MS,
    resolveAfterMs: env.ALERT_RESOLVE_AFTER_MS,
  },
  schedules: declaredSchedules({
    tokenRefreshEveryMs: env.TOKEN_REFRESH_EVERY_MS,
    keyHealthEveryMs: env.KEY_HEALTH_EVERY_MS,
    driftCheckEveryMs: env.DRIFT_CHECK_EVERY_MS,
    keyRotationFallbackPattern: env.KEY_ROTATION_FALLBACK_CRON,
  }),
}).catch((err: Error) => {
  logger.fatal({ err }, "could not put the maintenance schedules in place");
  process.exit(1);
});
logger.info(
  {
    pid: process.pid,
    schedules: running.schedules,
    alertWebhooks: env.RISKQ_ALERT_WEBHOOK_URLS.length,
    alertmanagers: env.RISKQ_ALERTMANAGER_URL.length,
  },
  "scheduler ready",
);
const metricsServer = await serveMetrics(metrics.registry, {
  host: env.METRICS_HOST,
  port: env.SCHEDULER_METRICS_PORT,
  logger,
});
announceReady({ event: "scheduler-ready", pid: process.pid, metrics: metricsServer?.url ?? null });

stopOnSignals({
  signals: ["SIGINT", "SIGTERM"],
  logger,
  stoppingMessage: "shutting down: letting running maintenance jobs finish",
  graceMs: env.SHUTDOWN_GRACE_MS,
  overdueMessage: "grace period over; exiting (an interrupted job is picked up again as stalled)",
  // A second signal must not cut the maintenance jobs being finished.
  ignoreRepeatedSignals: true,
  async close() {
    await running.close();
    await metricsServer?.close();
    await redis.quit();
    await tracing.shutdown();
  },
});

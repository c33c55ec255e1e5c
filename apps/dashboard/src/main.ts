import { configOrExit, exitOnConfigError } from "@riskq/config";
import { announceReady, stopOnSignals } from "@riskq/lifecycle";
import { createLogger } from "@riskq/observability";
import { startTracing, tracingSettings } from "@riskq/tracing/sdk";
import { createBoardQueues } from "./board/board-queues";
import { environmentBadge } from "./board/environment-badge";
import { budgetConfigOf, dashboardEnv } from "./config";
import { createDashboardRedis } from "./redis-connection";
import { BOARD_PATH, buildDashboard } from "./server";

// The only file of the dashboard that reads process.env.
const env = configOrExit(dashboardEnv, process.env);
const logger = createLogger({ name: "dashboard", level: env.LOG_LEVEL });
// Tracing (README: Tracing): off unless the standard OTEL_* variables ask for it.
const tracing = startTracing({
  settings: exitOnConfigError(() => tracingSettings(process.env, "riskq-dashboard")),
  logger,
});

const redis = createDashboardRedis(env.REDIS_URL, logger);
const queues = createBoardQueues({ connection: redis, prefix: env.RISKQ_PREFIX });
// Connection trouble is logged once per outage by createDashboardRedis; without a listener an
// 'error' event would crash the process.
for (const { queue } of queues) queue.on("error", () => {});

const app = buildDashboard({
  queues,
  credentials: { user: env.DASHBOARD_USER, password: env.DASHBOARD_PASSWORD },
  environment: environmentBadge(env.NODE_ENV, env.DASHBOARD_ENV_LABEL),
  logger,
  cost: {
    redis,
    prefix: env.RISKQ_PREFIX,
    settings: { budgets: budgetConfigOf(env), batchCap: env.BATCH_CAP, prefilter: env.RISKQ_PREFILTER },
    now: Date.now,
  },
});

logger.info({ redis: env.REDIS_URL.replace(/\/\/[^@]*@/, "//***@") }, "waiting for Redis");
await Promise.all(queues.map(({ queue }) => queue.waitUntilReady()));
const address = await app.listen({ port: env.DASHBOARD_PORT, host: env.DASHBOARD_HOST });
const url = `${address}${BOARD_PATH}`;
// The URL only: the credentials are the operator's to know (docs/operations.md, "Dashboard"), never a log
// line's.
logger.info({ url, prefix: env.RISKQ_PREFIX }, "riskq dashboard listening");
// The ready line supervisors and tests wait for (same shape as the API's).
announceReady({ event: "listening", url });

stopOnSignals({
  signals: ["SIGINT", "SIGTERM"],
  logger,
  stoppingMessage: "shutting down",
  graceMs: 5_000,
  async close() {
    await app.close();
    await Promise.allSettled(queues.map(({ queue }) => queue.close()));
    await redis.quit().catch(() => redis.disconnect());
    await tracing.shutdown();
  },
});

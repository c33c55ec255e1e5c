import { type AlerterOptions, alertPublisher, createAlerter } from "@riskq/alerts";
import type { AlipayClient } from "@riskq/alipay";
import { QUEUES } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import { createMaintenanceQueue, createScoreQueue, type MaintenanceJobData } from "@riskq/pipeline";
import { type ConnectionOptions, MetricsTime, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createMaintenanceProcessor } from "./maintenance-processor";
import { traceMaintenance } from "./maintenance-span";
import type { ScheduleDefinition } from "./schedules";
import { type UpsertedSchedules, upsertSchedules } from "./upsert-schedules";

export interface SchedulerOptions {
  connection: ConnectionOptions;
  prefix: string;
  alipay: AlipayClient;
  logger: Logger;
  /** The declared schedules (`declaredSchedules(settings)`). */
  schedules: readonly ScheduleDefinition[];
  /** Maintenance jobs this process runs at once (1–2: a long token refresh must not hold key health). */
  concurrency?: number;
  /** The Alipay client's clock (default the system clock). */
  now?: () => number;
  /** Client for drift-check's reads and marks (default `connection` when it is an ioredis client). */
  redis?: Redis;
  /** The workers' drift window length (default 5 min). */
  driftWindowMs?: number;
  /**
   * Runs an alerter replica in this process (docs/operations.md, "Alerts"); it needs `redis`. Without it the
   * maintenance jobs still publish their alerts, for whichever scheduler does run one.
   */
  alerts?: SchedulerAlertOptions;
}

/** The alerter settings a scheduler takes (its env: RISKQ_ALERT_WEBHOOK_URLS, DASHBOARD_URL, ALERT_*). */
type SchedulerAlertOptions = Omit<AlerterOptions, "redis" | "prefix" | "logger">;

/**
 * A scheduler process: puts the declared job schedulers in place, then runs the maintenance jobs.
 * The processors run HERE, in the scheduler process, on a BullMQ Worker of `maintenance` — not in
 * the scoring workers. With several scheduler replicas each tick's job is taken by exactly one of
 * them (BullMQ hands a job to one worker), so replicas add availability, not duplicate runs.
 */
export async function runScheduler(options: SchedulerOptions) {
  const { logger } = options;
  const now = options.now ?? (() => Date.now());
  const queue = createMaintenanceQueue({ connection: options.connection, prefix: options.prefix });
  queue.on("error", (err) => logger.error({ err }, "maintenance queue error"));
  // drift-check sends a degraded model's recent results back to be scored again.
  const scoreQueue = createScoreQueue({ connection: options.connection, prefix: options.prefix });
  scoreQueue.on("error", (err) => logger.error({ err }, "score queue error"));
  let upserted: UpsertedSchedules;
  try {
    upserted = await upsertSchedules(queue, options.schedules, logger);
  } catch (err) {
    await Promise.all([queue.close(), scoreQueue.close()]);
    throw err;
  }

  const redis = options.redis ?? (options.connection instanceof Redis ? options.connection : undefined);
  const worker = new Worker<MaintenanceJobData>(
    QUEUES.maintenance,
    traceMaintenance(
      createMaintenanceProcessor({
        alipay: options.alipay,
        queue,
        now,
        logger,
        redis,
        prefix: options.prefix,
        driftWindowMs: options.driftWindowMs,
        publishAlert: redis && alertPublisher(redis, { prefix: options.prefix }),
        scoreQueue,
      }),
    ),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: Math.min(2, Math.max(1, options.concurrency ?? 2)),
      // Per-minute completed/failed counts for a week: the data of Bull Board's charts.
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    },
  );
  worker.on("failed", (job, err) =>
    logger.error({ job: job?.name, jobId: job?.id, err }, "maintenance job failed"),
  );
  worker.on("error", (err) => logger.error({ err }, "maintenance worker error"));

  // Every replica runs one: they share the state in Redis, and each notice goes out exactly once.
  if (options.alerts && !redis)
    throw new Error("the alerter needs an ioredis client (SchedulerOptions.redis)");
  const alerter =
    options.alerts &&
    redis &&
    createAlerter({
      ...options.alerts,
      redis,
      prefix: options.prefix,
      logger: logger.child({ component: "alerter" }),
    });
  alerter?.start();

  return {
    queue,
    worker,
    schedules: upserted,
    /** Graceful: lets the jobs in progress finish, then closes the queue. Schedulers stay in Redis. */
    async close(): Promise<void> {
      await worker.close();
      // After the jobs, so the alerts they published on the way out still get folded by someone.
      await alerter?.stop();
      await Promise.all([queue.close(), scoreQueue.close()]);
    },
  };
}

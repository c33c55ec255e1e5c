import { type AlertPublisher, keyRejectedAlert } from "@riskq/alerts";
import { type AlipayClient, checkKeyHealth } from "@riskq/alipay";
import type { MaintenanceJobData, MaintenanceQueue, ScoreQueue } from "@riskq/pipeline";
import { type Job, UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { driftCheckJob } from "./jobs/drift-check";
import { rotateKeysJob } from "./jobs/key-rotation";
import { refreshTokensJob } from "./jobs/token-refresh";
import { planKeyRotation } from "./plan-key-rotation";
import { MAINTENANCE_JOBS } from "./schedules";

export interface MaintenanceDeps {
  alipay: AlipayClient;
  /** The maintenance queue itself: key-rotation runs plan their next run on it. */
  queue: MaintenanceQueue;
  /** The clock of the Alipay client (token and key instants are on it). */
  now: () => number;
  logger: Logger;
  /** Where the workers' score windows and the degraded marks live (needed by drift-check). */
  redis?: Redis | undefined;
  prefix: string;
  /** The workers' drift window length (default 5 min). */
  driftWindowMs?: number | undefined;
  /** Where the jobs publish their alerts (docs/operations.md, "Alerts"); none: they only log them. */
  publishAlert?: AlertPublisher | undefined;
  /** The `score` queue: drift-check withdraws a degraded model's recent results there. */
  scoreQueue?: ScoreQueue | undefined;
}

/** Runs one maintenance job by its name; what it returns is kept on the job for operators. */
export function createMaintenanceProcessor(deps: MaintenanceDeps) {
  return async (job: Job<MaintenanceJobData>): Promise<unknown> => {
    const logger = deps.logger.child({ job: job.name, jobId: job.id });
    switch (job.name) {
      case MAINTENANCE_JOBS.tokenRefresh: {
        const report = await refreshTokensJob({
          alipay: deps.alipay,
          now: deps.now,
          logger,
          ...(deps.publishAlert ? { publishAlert: deps.publishAlert } : {}),
        });
        logger.info(
          { merchants: report.merchants, refreshed: report.refreshed.length, failed: report.failed.length },
          "token refresh done",
        );
        return report;
      }
      case MAINTENANCE_JOBS.keyHealth: {
        const publish = deps.publishAlert;
        return checkKeyHealth({
          alipay: deps.alipay,
          logger,
          ...(publish ? { onKeyRejected: (probe) => publish(keyRejectedAlert(probe)) } : {}),
        });
      }
      case MAINTENANCE_JOBS.keyRotation:
      case MAINTENANCE_JOBS.keyRotationAt: {
        const planned = await rotateKeysJob({ alipay: deps.alipay, now: deps.now, logger });
        const next = await planKeyRotation(deps.queue, planned.nextCheckAt, deps.now());
        logger.info(
          { keyId: planned.keyId, nextCheckAt: new Date(planned.nextCheckAt).toISOString() },
          "key rotation checked",
        );
        return { ...planned, next };
      }
      case MAINTENANCE_JOBS.driftCheck: {
        if (!deps.redis)
          throw new UnrecoverableError("drift-check needs an ioredis client (SchedulerOptions.redis)");
        const report = await driftCheckJob({
          redis: deps.redis,
          prefix: deps.prefix,
          alipay: deps.alipay,
          now: deps.now,
          logger,
          ...(deps.driftWindowMs === undefined ? {} : { windowMs: deps.driftWindowMs }),
          scoreQueue: deps.scoreQueue,
          publishAlert: deps.publishAlert,
        });
        logger.info(
          {
            series: report.series.length,
            marked: report.marked,
            cleared: report.cleared,
            retired: report.retired,
            rescored: report.rescored,
          },
          "drift check done",
        );
        return report;
      }
      default:
        // A job of a newer deploy (or a stale one): failing it keeps it visible without retrying it.
        throw new UnrecoverableError(`unknown maintenance job ${job.name}`);
    }
  };
}

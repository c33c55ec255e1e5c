import { keyRejectedAlert } from "@riskq/alerts";
import { checkKeyHealth } from "@riskq/alipay";
import type { Logger } from "@riskq/observability";
import { UnrecoverableError } from "bullmq";
import { driftCheckJob } from "./jobs/drift-check";
import { rotateKeysJob } from "./jobs/key-rotation";
import { refreshTokensJob } from "./jobs/token-refresh";
import type { MaintenanceDeps } from "./maintenance-deps";
import { planKeyRotation } from "./plan-key-rotation";
import { MAINTENANCE_JOBS } from "./schedules";

export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS];

/** The data each maintenance job carries: the schedules add `{}`, planKeyRotation its planned instant. */
export interface MaintenanceJobDataOf {
  [MAINTENANCE_JOBS.tokenRefresh]: Record<string, never>;
  [MAINTENANCE_JOBS.keyHealth]: Record<string, never>;
  [MAINTENANCE_JOBS.keyRotation]: Record<string, never>;
  [MAINTENANCE_JOBS.driftCheck]: Record<string, never>;
  [MAINTENANCE_JOBS.keyRotationAt]: { plannedFor: number };
}

/** One job's run: its data, the scheduler's deps and a logger naming the job; the result stays on the job. */
export type MaintenanceHandler<N extends MaintenanceJobName> = (run: {
  data: MaintenanceJobDataOf[N];
  deps: MaintenanceDeps;
  logger: Logger;
}) => Promise<unknown>;

/**
 * Every maintenance job's handler by name. The mapped type makes a name of MAINTENANCE_JOBS without a
 * handler (or a data type) a compile error rather than an `unknown maintenance job` at run time.
 */
export const MAINTENANCE_HANDLERS: { [N in MaintenanceJobName]: MaintenanceHandler<N> } = {
  [MAINTENANCE_JOBS.tokenRefresh]: async ({ deps, logger }) => {
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
  },
  [MAINTENANCE_JOBS.keyHealth]: ({ deps, logger }) => {
    const publish = deps.publishAlert;
    return checkKeyHealth({
      alipay: deps.alipay,
      logger,
      ...(publish ? { onKeyRejected: (probe) => publish(keyRejectedAlert(probe)) } : {}),
    });
  },
  [MAINTENANCE_JOBS.keyRotation]: (run) => rotateKeys(run),
  // The one-off run planned by the last key-rotation run does the same check.
  [MAINTENANCE_JOBS.keyRotationAt]: (run) => rotateKeys(run),
  [MAINTENANCE_JOBS.driftCheck]: async ({ deps, logger }) => {
    if (!deps.redis)
      throw new UnrecoverableError("drift-check needs an ioredis client (SchedulerOptions.redis)");
    const report = await driftCheckJob({
      redis: deps.redis,
      prefix: deps.prefix,
      alipay: deps.alipay,
      now: deps.now,
      logger,
      windowMs: deps.driftWindowMs,
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
  },
};

async function rotateKeys({ deps, logger }: { deps: MaintenanceDeps; logger: Logger }) {
  const planned = await rotateKeysJob({ alipay: deps.alipay, now: deps.now, logger });
  const next = await planKeyRotation(deps.queue, planned.nextCheckAt, deps.now());
  logger.info(
    { keyId: planned.keyId, nextCheckAt: new Date(planned.nextCheckAt).toISOString() },
    "key rotation checked",
  );
  return { ...planned, next };
}

/** Whether a job's name is one of the catalog's (a newer or stale deploy may queue others). */
export const isMaintenanceJobName = (name: string): name is MaintenanceJobName =>
  Object.hasOwn(MAINTENANCE_HANDLERS, name);

import type { MaintenanceJobData } from "@riskq/pipeline";
import { type Job, UnrecoverableError } from "bullmq";
import {
  isMaintenanceJobName,
  MAINTENANCE_HANDLERS,
  type MaintenanceHandler,
  type MaintenanceJobDataOf,
  type MaintenanceJobName,
} from "./maintenance-catalog";
import type { MaintenanceDeps } from "./maintenance-deps";

/** Runs one maintenance job by its name; what it returns is kept on the job for operators. */
export function createMaintenanceProcessor(deps: MaintenanceDeps) {
  return async (job: Job<MaintenanceJobData>): Promise<unknown> => {
    const logger = deps.logger.child({ job: job.name, jobId: job.id });
    // A job of a newer deploy (or a stale one): failing it keeps it visible without retrying it.
    if (!isMaintenanceJobName(job.name)) throw new UnrecoverableError(`unknown maintenance job ${job.name}`);
    // One name's handler, called through the union of all of them (TypeScript cannot pair them itself).
    const handler = MAINTENANCE_HANDLERS[job.name] as MaintenanceHandler<MaintenanceJobName>;
    // The data is as the scheduler queued it (schedules.ts, plan-key-rotation.ts); it is not re-validated.
    return handler({ data: job.data as MaintenanceJobDataOf[MaintenanceJobName], deps, logger });
  };
}

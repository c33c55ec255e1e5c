import type { Logger } from "@riskq/observability";
import type { MaintenanceQueue } from "@riskq/pipeline";
import type { ScheduleDefinition } from "./schedules";

export interface UpsertedSchedules {
  upserted: string[];
  /** Schedulers found on the queue that the list no longer declares (left by an earlier deploy). */
  removed: string[];
}

/**
 * Makes the queue's job schedulers exactly the declared ones. Idempotent and safe to run from several
 * processes at once: BullMQ keys a scheduler by its id, so concurrent upserts of one id leave one
 * scheduler (the last write wins, and every process writes the same definition).
 */
export async function upsertSchedules(
  queue: MaintenanceQueue,
  schedules: readonly ScheduleDefinition[],
  logger: Pick<Logger, "info">,
): Promise<UpsertedSchedules> {
  const ids = new Set<string>();
  for (const schedule of schedules) {
    if (ids.has(schedule.id)) throw new Error(`schedule ${schedule.id} is declared twice`);
    ids.add(schedule.id);
  }
  for (const schedule of schedules) {
    await queue.upsertJobScheduler(schedule.id, schedule.repeat, schedule.template);
  }
  const removed: string[] = [];
  // Paged by BullMQ's default (all of them); a maintenance queue holds a handful.
  for (const existing of await queue.getJobSchedulers(0, -1)) {
    const id = existing.id ?? existing.key;
    if (ids.has(id)) continue;
    if (await queue.removeJobScheduler(id)) removed.push(id);
  }
  logger.info({ upserted: [...ids], removed }, "maintenance schedules in place");
  return { upserted: [...ids], removed };
}

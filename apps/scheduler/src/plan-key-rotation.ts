import type { MaintenanceQueue } from "@riskq/pipeline";
import { MAINTENANCE_JOBS } from "./schedules";

/** The id of the one-off check planned for `at`: every scheduler that plans the same instant adds one job. */
const keyRotationAtId = (at: number): string => `${MAINTENANCE_JOBS.keyRotationAt}-${at}`;

/**
 * Plans the next key-rotation run at the absolute instant `at` (epoch ms on the clock `now` reads).
 * The latest plan is made from the freshest key list, so it supersedes pending plans for other
 * instants: at most one planned check waits (plus the hourly fallback), however often runs happen.
 */
export async function planKeyRotation(queue: MaintenanceQueue, at: number, now: number): Promise<string> {
  const jobId = keyRotationAtId(at);
  for (const pending of await queue.getDelayed()) {
    if (pending.name === MAINTENANCE_JOBS.keyRotationAt && pending.id !== jobId) await pending.remove();
  }
  await queue.add(
    MAINTENANCE_JOBS.keyRotationAt,
    { plannedFor: at },
    { jobId, delay: Math.max(0, at - now) },
  );
  return jobId;
}

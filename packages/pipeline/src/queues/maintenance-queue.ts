import { QUEUES } from "@riskq/contracts";
import { Queue } from "bullmq";
import type { QueueOptions } from "./score-queues";

/** What a maintenance job carries: small, non-secret facts (never tokens or keys). */
export type MaintenanceJobData = Record<string, string | number | boolean>;

export type MaintenanceQueue = Queue<MaintenanceJobData>;

/**
 * `maintenance`: the scheduler's repeatable jobs (token refresh, key health, key rotation). A failed
 * run is not retried here: the next tick of its schedule is the retry, so runs never pile up. A few
 * days of finished runs stay for operators (Bull Board).
 */
export function createMaintenanceQueue(
  options: Pick<QueueOptions, "connection" | "prefix">,
): MaintenanceQueue {
  return new Queue<MaintenanceJobData>(QUEUES.maintenance, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: 1,
      removeOnComplete: { age: 3 * 24 * 3_600, count: 2_000 },
      removeOnFail: { age: 7 * 24 * 3_600, count: 2_000 },
    },
    streams: { events: { maxLen: 1_000 } },
  });
}

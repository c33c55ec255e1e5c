import { QUEUES, type ScoreJobResult } from "@riskq/contracts";
import { Queue } from "bullmq";
import { type CallbackDelivery, callbackDeliveryId } from "../callbacks/callback-payload";
import type { QueueOptions } from "./score-queues";

export type CallbackQueue = Queue<CallbackDelivery>;

/** Attempts per delivery: with the worker's backoff (1 s doubling, capped at 5 min) about 15 minutes. */
export const CALLBACK_ATTEMPTS = 10;

/**
 * `score-callbacks`: one job per result to POST. Finished deliveries are dropped well before the
 * score job they announce (kept 24 h): once that is gone its id may be submitted again, and a stale
 * delivery with the same id would make the new outcome's add a no-op.
 */
export function createCallbackQueue(
  options: Pick<QueueOptions, "connection" | "prefix" | "attempts">,
): CallbackQueue {
  return new Queue<CallbackDelivery>(QUEUES.callbacks, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? CALLBACK_ATTEMPTS,
      backoff: { type: "custom" },
      removeOnComplete: { age: 3_600, count: 100_000 },
      // Given-up deliveries stay half a day for operators to inspect (and the log names them).
      removeOnFail: { age: 12 * 3_600, count: 10_000 },
    },
    streams: { events: { maxLen: 10_000 } },
  });
}

/**
 * Queues a delivery: one Redis call, idempotent by the delivery id (a second add of the same
 * outcome returns the existing job), so callers may repeat it after a crash.
 */
export async function enqueueCallback(
  queue: CallbackQueue,
  delivery: CallbackDelivery,
  redriveCount = 0,
): Promise<void> {
  await queue.add(delivery.body.event, delivery, {
    jobId: callbackDeliveryId(delivery.job_id, delivery.body.event, redriveCount),
  });
}

/**
 * The result an earlier run of this job already queued for its callback, if any: a job whose worker
 * died after queuing the callback but before completing is run again, and answering with the same
 * result keeps the callback and the job's return value equal (and avoids paying for a second call).
 */
export async function findQueuedResult(
  queue: CallbackQueue,
  jobId: string,
  redriveCount = 0,
): Promise<ScoreJobResult | undefined> {
  const queued = await queue.getJob(callbackDeliveryId(jobId, "completed", redriveCount));
  return queued?.data.body.result;
}

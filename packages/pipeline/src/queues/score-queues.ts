import { type DeadLetter, QUEUES, type ScoreJobData, type ScoreJobResult } from "@riskq/contracts";
import { type ConnectionOptions, Queue } from "bullmq";

export type ScoreQueue = Queue<ScoreJobData, ScoreJobResult>;
export type DeadLetterQueue = Queue<DeadLetter>;

export interface QueueOptions {
  connection: ConnectionOptions;
  /** BullMQ key prefix with a hash tag (e.g. "{riskq}") so every queue key lives in one Redis Cluster slot. */
  prefix: string;
  /** Attempts per job (default 8: docs/architecture.md, "Retries, waits and attempts"). */
  attempts?: number;
  /** Completed jobs are kept this long / this many for GET /v1/scores and idempotency. */
  keepCompleted?: { age: number; count: number };
}

/** Default retention of completed jobs: a day, at most 100 000. */
export const KEEP_COMPLETED = { age: 24 * 3600, count: 100_000 };

/**
 * The `score` queue with riskq's job defaults: 8 attempts with our own jittered backoff (see the
 * worker's backoffStrategy), completed jobs kept for a while, failed jobs kept (they are the
 * dead-lettered ones, and keeping them keeps the job id taken, so a duplicate never runs twice).
 */
export function createScoreQueue(options: QueueOptions): ScoreQueue {
  return new Queue<ScoreJobData, ScoreJobResult>(QUEUES.score, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 8,
      backoff: { type: "custom" },
      removeOnComplete: options.keepCompleted ?? KEEP_COMPLETED,
      removeOnFail: false,
    },
    streams: { events: { maxLen: 10_000 } },
  });
}

/** `score-dead`: one job per dead letter, same id as the job it stands for; nothing consumes it. */
export function createDeadLetterQueue(options: QueueOptions): DeadLetterQueue {
  return new Queue<DeadLetter>(QUEUES.dead, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    streams: { events: { maxLen: 10_000 } },
  });
}

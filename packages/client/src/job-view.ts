import { deadLetterSchema, recordedOutcomeSchema, scoreJobResultSchema } from "@riskq/contracts";
import { z } from "zod";

/** Where a job is: waiting (`queued`), being scored (`active`), or in a terminal state. */
export const JOB_STATUSES = ["queued", "active", "completed", "dead"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Terminal: nothing more will happen to the job unless an operator redrives a dead one. */
export const isSettled = (status: JobStatus): boolean => status === "completed" || status === "dead";

// Lenient objects (unknown fields stripped, not refused): the server may add fields without
// breaking deployed producers; what the SDK promises its callers is still checked.
export const enqueuedJobSchema = z.object({
  id: z.string(),
  item_id: z.string(),
  status: z.enum(JOB_STATUSES),
  duplicate: z.boolean(),
});

/**
 * The answer to an enqueue: the job's id (`<merchant_id>-<item_id>`, what `getScore` takes), and
 * `duplicate: true` when that job already existed, in which case nothing new was enqueued.
 */
export type EnqueuedJob = z.infer<typeof enqueuedJobSchema>;

export const jobViewSchema = z.object({
  id: z.string(),
  item_id: z.string(),
  status: z.enum(JOB_STATUSES),
  duplicate: z.boolean().optional(),
  /** Present once `completed`: the score (or how the job was decided without one). */
  result: scoreJobResultSchema.optional(),
  /** Present when `dead`: why, with its history. */
  dead_letter: deadLetterSchema.optional(),
  /** Present instead of `result` / `dead_letter` once the job itself is gone: its idempotency record. */
  outcome: recordedOutcomeSchema.optional(),
});

/** A job as `GET /v1/scores/{id}` (and a waited-for enqueue) shows it. */
export type JobView = z.infer<typeof jobViewSchema>;

export const batchAnswerSchema = z.object({ jobs: z.array(enqueuedJobSchema) });

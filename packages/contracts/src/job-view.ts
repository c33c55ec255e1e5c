import { z } from "zod";
import { deadLetterSchema, scoreJobResultSchema } from "./jobs";
import { recordedOutcomeSchema } from "./recorded-outcome";

// The score answers of the HTTP API, shared by the API (its types and its OpenAPI document) and
// @riskq/client (which parses answers with them): one definition, so the three cannot drift apart.

/** Where a job is: waiting (`queued`), being scored (`active`), or in a terminal state. */
export const JOB_STATUSES = ["queued", "active", "completed", "dead"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

// Plain (non-strict) objects: a parser strips fields it does not know, so the server may add fields
// without breaking deployed producers; the OpenAPI document still lists exactly these.
export const jobViewSchema = z
  .object({
    id: z
      .string()
      .describe("`<merchant_id>-<item_id>`: the job's idempotency key, what GET /v1/scores/{id} takes"),
    item_id: z.string(),
    status: z.enum(JOB_STATUSES),
    duplicate: z
      .boolean()
      .optional()
      .describe("On enqueue answers: true when the job already existed (nothing new was enqueued)"),
    result: scoreJobResultSchema
      .optional()
      .describe("Present once completed: the score, or how the job was decided without one"),
    dead_letter: deadLetterSchema.optional().describe("Present when dead: why, with its history"),
    outcome: recordedOutcomeSchema
      .optional()
      .describe(
        "Present instead of result / dead_letter once the job itself is gone: its idempotency record",
      ),
  })
  .describe("A score job as callers see it: four states, two of them final (completed, dead)");

/** A job as `GET /v1/scores/{id}` (and a waited-for enqueue) shows it. */
export type JobView = z.infer<typeof jobViewSchema>;

/** The answer to an enqueue: the job view, always saying whether the job already existed. */
export const enqueuedJobSchema = jobViewSchema
  .extend({ duplicate: z.boolean() })
  .describe("A score job as an enqueue answers it; duplicate: true when it already existed");
export type EnqueuedJob = z.infer<typeof enqueuedJobSchema>;

/** The answer to `POST /v1/scores/batch`: the jobs in request order. */
export const batchAnswerSchema = z.object({ jobs: z.array(enqueuedJobSchema) });
export type BatchAnswer = z.infer<typeof batchAnswerSchema>;

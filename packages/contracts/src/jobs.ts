import { z } from "zod";
import { DEAD_LETTER_REASONS } from "./dead-letter";
import { modelVersionSchema } from "./model-version";
import { RISK_LEVELS, strictScoreItemSchema, TASKS } from "./scoring";

/** The queues of riskq (docs/architecture.md, "Queues and Redis keys"). */
export const QUEUES = {
  score: "score",
  dead: "score-dead",
  maintenance: "maintenance",
  /** Result callbacks waiting to be POSTed to a job's `callback_url` (one job per delivery). */
  callbacks: "score-callbacks",
} as const;

export const DEFAULT_DEADLINE_MS = 2_000;

/**
 * What a job is decided by when no remote score can arrive before its deadline (RISKQ_ON_DEADLINE,
 * per request `on_deadline`): the local model's verdict, a fixed fail-open (`allow`) or
 * send-to-review (`review`) decision, or no decision at all (`expire`, `source: "expired"`).
 */
export const DEADLINE_POLICIES = ["local", "allow", "review", "expire"] as const;
export type DeadlinePolicy = (typeof DEADLINE_POLICIES)[number];

/** Why a job was decided without Alipay's score: what kept the remote answer from arriving in time. */
export const DEGRADED_REASONS = ["deadline", "rate_limited", "circuit_open", "timeout", "budget"] as const;
export type DegradedReason = (typeof DEGRADED_REASONS)[number];
export const MAX_DEADLINE_MS = 24 * 3_600_000;

/**
 * The job id is the idempotency key: item ids are the caller's and unique per merchant only.
 * (BullMQ refuses all-digit ids and ':'; a merchant id, '-', and an item id is neither.)
 */
export const scoreJobId = (merchantId: string, itemId: string): string => `${merchantId}-${itemId}`;

/**
 * A score request as services send it (docs/architecture.md, "The HTTP API and enqueueing"): the contract item plus how to score it.
 * Strict: a field the model would ignore is refused rather than silently dropped.
 */
export const scoreRequestBodySchema = strictScoreItemSchema
  .extend({
    task: z.enum(TASKS),
    model_version: modelVersionSchema.optional(),
    confidence_threshold: z.number().min(0.05).max(0.95).optional(),
    deadline_ms: z.number().int().min(1).max(MAX_DEADLINE_MS).optional(),
    on_deadline: z.enum(DEADLINE_POLICIES).optional(),
    callback_url: z
      .url({ protocol: /^https?$/, message: "an http(s) URL" })
      .max(2048)
      .optional(),
  })
  .superRefine((req, ctx) => {
    if (req.task === "card_risk" && req.card_fingerprint === undefined) {
      ctx.addIssue({ code: "custom", path: ["card_fingerprint"], message: "required for task card_risk" });
    }
  });
export type ScoreRequestBody = z.infer<typeof scoreRequestBodySchema>;

export const MAX_ENQUEUE_BATCH = 1_000;
/** A batch body of `item`s: 1 to MAX_ENQUEUE_BATCH of them. */
export const scoreBatchBodyOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z
      .array(item)
      .min(1, "at least one item")
      .max(MAX_ENQUEUE_BATCH, `at most ${MAX_ENQUEUE_BATCH} items`),
  });
/**
 * The body of `POST /v1/scores/batch` as the API reads it: items are then parsed one by one with
 * `scoreRequestBodySchema`, so every item's errors are reported (the OpenAPI document shows
 * `scoreBatchBodyOf(scoreRequestBodySchema)`, the same body with its items' shape).
 */
export const scoreBatchBodySchema = scoreBatchBodyOf(z.unknown());

/** W3C `traceparent` / `tracestate` header values (sizes as the spec bounds them). */
export const traceContextSchema = z.object({
  traceparent: z.string().max(128),
  tracestate: z.string().max(512).optional(),
});

/** What a `score` job carries: the request, plus when it was enqueued and must be answered by. */
export const scoreJobDataSchema = z.object({
  request: scoreRequestBodySchema,
  enqueued_at: z.number().int(),
  deadline_at: z.number().int(),
  /** Random per add: the API reads it back to learn whether its add created the job (idempotency). */
  submission_id: z.string().optional(),
  /** An audit re-scoring job: the id of the job whose degraded decision it scores remotely. */
  audit_of: z.string().optional(),
  /**
   * The name (never the secret) of the API key that submitted the job: who may see its callback URL,
   * and whose callback secret signs its callbacks. Absent on jobs written before keys had names.
   */
  submitted_by: z.string().optional(),
  /**
   * The W3C trace context of the enqueue (README: Tracing): the worker's span for the job joins the
   * trace of the request that submitted it. Absent when the API runs without tracing.
   */
  trace_context: traceContextSchema.optional(),
});
export type ScoreJobData = z.infer<typeof scoreJobDataSchema>;

/**
 * How a completed job was decided: scored remotely or by the local pre-filter, by the fixed decision of
 * its deadline policy (`allow` / `review`), or expired unscored.
 */
export const JOB_SOURCES = ["remote", "prefilter", "policy", "expired"] as const;

/** The fixed decisions of the `allow` and `review` deadline policies. */
export const POLICY_DECISIONS = ["allow", "review"] as const;

/** A degraded decision scored by Alipay afterwards, for audit (RISKQ_RESCORE_DEGRADED). */
export const auditScoreSchema = z.object({
  confidence: z.number().min(0).max(1),
  risk_score: z.number().int().min(0).max(100),
  flagged: z.boolean(),
  model_version: z.string(),
  cost_usd: z.number().min(0),
  scored_at: z.number().int(),
});
export type AuditScore = z.infer<typeof auditScoreSchema>;

/** A completed job's result (docs/architecture.md, "Job results"; the job's return value and the API's `result`). */
export const scoreJobResultSchema = z.object({
  item_id: z.string(),
  source: z.enum(JOB_SOURCES),
  confidence: z.number().min(0).max(1).nullable(),
  risk_score: z.number().int().min(0).max(100).nullable(),
  risk_level: z.enum(RISK_LEVELS).nullable(),
  flagged: z.boolean().nullable(),
  info_code: z.array(z.string()),
  model_version: z.string().nullable(),
  /** This item's share of the call's bill (call fee split across the batch). */
  cost_usd: z.number().min(0),
  attempts: z.number().int().min(0),
  /** Decided without Alipay's score although the job asked for it (fallback or deadline policy). */
  degraded: z.boolean().optional(),
  /** With `degraded`: what kept Alipay's answer from arriving in time. */
  degraded_reason: z.enum(DEGRADED_REASONS).optional(),
  /** With `source: "policy"`: the fixed decision (`allow`: fail open; `review`: send to review). */
  decision: z.enum(POLICY_DECISIONS).optional(),
  /** Milliseconds from enqueue (or from the job's latest redrive) to this decision. */
  decided_in_ms: z.number().int().min(0).optional(),
  /** With RISKQ_RESCORE_DEGRADED=on: Alipay's later verdict on a degraded decision (billed). */
  audit: auditScoreSchema.optional(),
});
export type ScoreJobResult = z.infer<typeof scoreJobResultSchema>;

/** A job in `score-dead`: why it died, with its history, so it can be understood and redriven. */
export const deadLetterSchema = z.object({
  source_queue: z.string(),
  job_id: z.string(),
  payload: z.unknown(),
  reason: z.enum(DEAD_LETTER_REASONS),
  last_error: z.object({ code: z.string(), message: z.string() }),
  attempts: z.array(z.object({ at: z.number().int(), code: z.string() })),
  first_seen: z.number().int(),
  dead_at: z.number().int(),
  redrive_count: z.number().int().min(0),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

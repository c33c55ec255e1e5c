import { z } from "zod";
import { DEAD_LETTER_REASONS } from "./dead-letter";
import { DEGRADED_REASONS, JOB_SOURCES, POLICY_DECISIONS } from "./jobs";
import { RISK_LEVELS } from "./scoring";

/**
 * What riskq still knows of a job once the job itself is gone (completed jobs are kept 24 h or
 * 100 000 jobs, whichever comes first): the compact idempotency record kept RISKQ_IDEMPOTENCY_TTL
 * after the job ended. Only what a caller needs to see the outcome again — never the request, its
 * card fingerprint, or the bill. Fields that do not apply are absent.
 */
export const recordedOutcomeSchema = z.object({
  /** When the job ended (completed, or dead-lettered), epoch ms. */
  finished_at: z.number().int(),
  source: z.enum(JOB_SOURCES).optional(),
  confidence: z.number().min(0).max(1).nullable().optional(),
  risk_score: z.number().int().min(0).max(100).nullable().optional(),
  risk_level: z.enum(RISK_LEVELS).nullable().optional(),
  flagged: z.boolean().nullable().optional(),
  decision: z.enum(POLICY_DECISIONS).optional(),
  degraded: z.boolean().optional(),
  degraded_reason: z.enum(DEGRADED_REASONS).optional(),
  model_version: z.string().nullable().optional(),
  /** With a dead job: why it died. */
  dead_reason: z.enum(DEAD_LETTER_REASONS).optional(),
});
export type RecordedOutcome = z.infer<typeof recordedOutcomeSchema>;

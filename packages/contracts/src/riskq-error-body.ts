import { z } from "zod";

/** One field error as callers see it: `{ path: "items[3].amount", message: "…" }`. */
export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

/**
 * The JSON body of every error answer of riskq's own HTTP API (docs/errors.md; Alipay's is
 * `apiErrorBodySchema`): a stable `error` code, a message for people, the request's id, and the
 * details some codes carry. Strict in the OpenAPI document, so a new detail must be added here.
 */
export const riskqErrorBodySchema = z.object({
  error: z.string().describe("Stable code (docs/errors.md): match on it, never on message"),
  message: z.string().describe("What happened and what to do, for people (may be reworded)"),
  request_id: z.string().describe("Also in the x-request-id answer header and in the API's request log"),
  issues: z.array(fieldIssueSchema).optional().describe("invalid_request: every field error"),
  field: z
    .string()
    .optional()
    .describe("forbidden (another merchant's) and pan_not_allowed: the field at fault"),
  required_role: z
    .literal("operator")
    .optional()
    .describe("forbidden on operator routes: the role the key lacks"),
  retry_after_s: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("backlog_full, too_many_waiters: seconds to wait, as Retry-After says"),
});
export type RiskqErrorBody = z.infer<typeof riskqErrorBodySchema>;

import { z } from "zod";
import { deadLetterSchema } from "./jobs";

// The operator answers of the HTTP API (dead letters, onboarding), shared by the API (its OpenAPI
// document) and @riskq/client's admin client, which parses answers with them.

/** One page of dead letters, newest first; `total` counts every match, not just this page. */
export const deadLetterPageSchema = z.object({
  total: z.number().int().min(0),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1),
  items: z.array(deadLetterSchema),
});
export type DeadLetterPage = z.infer<typeof deadLetterPageSchema>;

/** The ids actually redriven (ids that were not dead are skipped, so a repeat is harmless). */
export const redriveAnswerSchema = z.object({
  redriven: z.array(z.string()),
  count: z.number().int().min(0),
});
export type RedriveAnswer = z.infer<typeof redriveAnswerSchema>;

/** The ids actually purged (ids that were not dead are skipped). */
export const purgeAnswerSchema = z.object({ purged: z.array(z.string()), count: z.number().int().min(0) });
export type PurgeAnswer = z.infer<typeof purgeAnswerSchema>;

/** An onboarded merchant: when its first access token expires (it is refreshed before then). */
export const onboardedMerchantSchema = z.object({
  merchant_id: z.string(),
  status: z.literal("onboarded"),
  token_expires_at: z.iso.datetime(),
});
export type OnboardedMerchant = z.infer<typeof onboardedMerchantSchema>;

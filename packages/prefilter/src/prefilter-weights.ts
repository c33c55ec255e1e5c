import { z } from "zod";
import { featureSpaceSchema } from "./payment-features";

/** The two cuts on P(fraud): at or below `legit_max` an item is clearly legitimate, at or above `fraud_min` clearly fraudulent. */
export const decisionThresholdsSchema = z
  .object({ legit_max: z.number().min(0).max(1), fraud_min: z.number().min(0).max(1) })
  .refine((t) => t.legit_max < t.fraud_min, "legit_max must be below fraud_min");
export type DecisionThresholds = z.infer<typeof decisionThresholdsSchema>;

/** Quality of the thresholds on the validation traffic they were chosen on. */
const cutQualitySchema = z.object({ items: z.number(), fraud: z.number(), precision: z.number() });

/**
 * The committed output of `scripts/train.ts` (src/weights.json): everything the built-in logistic
 * regression needs at run time, plus how it was made and how it did, so a reader can check it.
 */
export const prefilterWeightsSchema = z.object({
  format: z.literal("riskq-prefilter-logistic/1"),
  /** A digest of the coefficients, space and thresholds: results carry `prefilter-<version>`. */
  version: z.string().regex(/^lr-[0-9a-f]{8}$/),
  recipe: z.record(z.string(), z.unknown()),
  features: featureSpaceSchema,
  intercept: z.number(),
  weights: z.record(z.string(), z.number()),
  thresholds: decisionThresholdsSchema,
  targets: z.object({ legit_precision: z.number(), fraud_precision: z.number() }),
  validation: z.object({
    items: z.number(),
    fraud: z.number(),
    auc: z.number(),
    legit: cutQualitySchema,
    fraud_cut: cutQualitySchema,
    out_of_distribution: z.number(),
  }),
});
export type PrefilterWeights = z.infer<typeof prefilterWeightsSchema>;

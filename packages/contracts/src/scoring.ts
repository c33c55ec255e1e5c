import { z } from "zod";

/** The three scoring tasks the remote model understands (docs/alipay-ai-api.md §6.1). */
export const TASKS = ["card_risk", "merchant_behavior", "transaction_anomaly"] as const;
export type Task = (typeof TASKS)[number];

export const CHANNELS = ["app", "web", "pos"] as const;
export type Channel = (typeof CHANNELS)[number];

export const RISK_LEVELS = ["low", "medium", "high", "reject"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const MAX_BATCH_ITEMS = 100;
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.7;

const MAX_AMOUNT_CENTS = 100_000_000; // 1 000 000.00

// ISO code lists come from Node's own ICU data, so nothing is hand-maintained here.
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
// ICU look-ups cost ~1 µs each and every item carries a country: remember the verdicts.
const countryVerdicts = new Map<string, boolean>();
function isCountry(code: string): boolean {
  let verdict = countryVerdicts.get(code);
  if (verdict === undefined) {
    verdict = /^[A-Z]{2}$/.test(code) && regionNames.of(code) !== code;
    if (countryVerdicts.size < 1024) countryVerdicts.set(code, verdict);
  }
  return verdict;
}

/** Amount in cents from a contract decimal string ("128.50" → 12850). */
export function amountToCents(amount: string): number {
  // Digit by digit (run for every item at every check): "128.50" → 12850, the point skipped.
  let cents = 0;
  let decimals = -1;
  for (let i = 0; i < amount.length; i++) {
    const c = amount.charCodeAt(i);
    if (c === 46) {
      decimals = 0;
      continue;
    }
    cents = cents * 10 + (c - 48);
    if (decimals >= 0) decimals += 1;
  }
  if (decimals <= 0) return cents * 100;
  return decimals === 1 ? cents * 10 : cents;
}

const itemShape = {
  item_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1–64 characters of A-Z a-z 0-9 _ -"),
  merchant_id: z.string().regex(/^\d{16}$/, "16 digits"),
  amount: z
    .string()
    .regex(/^\d{1,7}\.\d{2}$/, 'a decimal string with exactly 2 places, e.g. "128.50"')
    .refine((a) => {
      const cents = amountToCents(a);
      return cents > 0 && cents <= MAX_AMOUNT_CENTS;
    }, "> 0 and ≤ 1000000.00"),
  currency: z.string().refine((c) => CURRENCIES.has(c), 'an ISO 4217 currency code, e.g. "CNY"'),
  card_fingerprint: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "64 hex characters (a hash, never a card number)")
    .optional(),
  mcc: z
    .string()
    .regex(/^\d{4}$/, "4 digits")
    .optional(),
  country: z.string().refine(isCountry, 'an ISO 3166-1 alpha-2 country code, e.g. "CN"').optional(),
  channel: z.enum(CHANNELS).optional(),
  occurred_at: z.iso.datetime({ offset: true, message: "an RFC 3339 date-time" }),
};

/** A scoring item as the remote service reads it: unknown fields are ignored (stripped). */
export const scoreItemSchema = z.object(itemShape);
/** The same item for riskq's own callers: unknown fields are refused, since the model would ignore them. */
export const strictScoreItemSchema = z.strictObject(itemShape);
export type ScoreItem = z.infer<typeof scoreItemSchema>;

function requestSchema<T extends z.ZodType<ScoreItem>>(item: T) {
  return z
    .object({
      task: z.enum(TASKS),
      model_version: z.string().min(1).optional(),
      confidence_threshold: z.number().min(0.05).max(0.95).optional(),
      items: z.array(item).min(1, "at least one item"),
    })
    .superRefine((req, ctx) => {
      const seen = new Set<string>();
      req.items.forEach((it, i) => {
        if (seen.has(it.item_id)) {
          ctx.addIssue({
            code: "custom",
            path: ["items", i, "item_id"],
            message: "repeated within one call",
          });
        }
        seen.add(it.item_id);
        if (req.task === "card_risk" && it.card_fingerprint === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["items", i, "card_fingerprint"],
            message: "required for task card_risk",
          });
        }
      });
    });
}

/** Plaintext body of predict / batch/predict (docs/alipay-ai-api.md §6.1), lenient as the service is. */
export const scoreRequestSchema = requestSchema(scoreItemSchema);
export const strictScoreRequestSchema = requestSchema(strictScoreItemSchema);
/**
 * The same request for items a caller already parsed with `strictScoreItemSchema`: the item pass is
 * skipped, the request fields and the cross-item rules (no repeated item_id, fingerprints for
 * card_risk) still apply.
 */
export const prevalidatedScoreRequestSchema = requestSchema(z.custom<ScoreItem>(() => true));
export type ScoreRequest = z.infer<typeof scoreRequestSchema>;

const fee = z.string().regex(/^\d+\.\d{4}$/, "a decimal string with 4 places");

export const billingSchema = z.object({
  call_fee: fee,
  item_fees: fee,
  review_fees: fee,
  total: fee,
  currency: z.literal("USD"),
});
export type Billing = z.infer<typeof billingSchema>;

export const scoreResultSchema = z.object({
  item_id: z.string(),
  confidence: z.number().min(0).max(1),
  risk_score: z.number().int().min(0).max(100),
  risk_level: z.enum(RISK_LEVELS),
  flagged: z.boolean(),
  info_code: z.array(z.string()),
});
export type ScoreResult = z.infer<typeof scoreResultSchema>;

/** Decrypted body of a 200 scoring response (docs/alipay-ai-api.md §6.2). */
export const scoreResponseSchema = z.object({
  model_version: z.string(),
  results: z.array(scoreResultSchema),
  billing: billingSchema,
});
export type ScoreResponse = z.infer<typeof scoreResponseSchema>;

/** risk_level from confidence (docs/alipay-ai-api.md §6.2). */
export function riskLevelOf(confidence: number): RiskLevel {
  if (confidence < 0.3) return "low";
  if (confidence < 0.6) return "medium";
  if (confidence < 0.85) return "high";
  return "reject";
}

import { z } from "zod";

/** Error body of every non-200 response (docs/alipay-ai-api.md §2). Codes are strings. */
export const apiErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  links: z.array(z.object({ link: z.string(), desc: z.string() })).optional(),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

/** Token grant / refresh response (docs/alipay-ai-api.md §5.1). */
export const tokenResponseSchema = z.object({
  app_auth_token: z.string(),
  app_refresh_token: z.string(),
  expires_in: z.number().int().positive(),
  re_expires_in: z.number().int().positive(),
  user_id: z.string(),
  auth_app_id: z.string(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const tokenRequestSchema = z.discriminatedUnion("grant_type", [
  z.object({ grant_type: z.literal("authorization_code"), code: z.string().min(1) }),
  z.object({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(1) }),
]);
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

/** One AES key of the key-management endpoint (docs/alipay-ai-api.md §4). */
export const aesKeySchema = z.object({
  key_id: z.string(),
  aes_key: z.string(),
  not_before: z.iso.datetime(),
  expires_at: z.iso.datetime(),
});
export type AesKey = z.infer<typeof aesKeySchema>;
export const keyListSchema = z.object({ keys: z.array(aesKeySchema).min(1) });

/** Published prices (docs/alipay-ai-api.md §9). */
export const pricingSchema = z.object({
  currency: z.literal("USD"),
  call_fee: z.string(),
  item_fee: z.string(),
  review_fee: z.string(),
});
export type Pricing = z.infer<typeof pricingSchema>;

/** API paths of the remote service (docs/alipay-ai-api.md §4–6, 9). */
export const API_PATHS = {
  predict: "/v3/alipay/security/risk/ai/predict",
  batchPredict: "/v3/alipay/security/risk/ai/batch/predict",
  keyQuery: "/v3/alipay/security/risk/ai/key/query",
  pricing: "/v3/alipay/security/risk/ai/pricing",
  authToken: "/v3/alipay/open/auth/token/app",
} as const;

import { AlipayError, AuthCodeOfAnotherMerchant, AuthRevoked, InvalidRequest } from "@riskq/alipay";
import type { OnboardedMerchant } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { actsFor, callerOf, merchantForbidden, requireOperator } from "../http/api-caller";
import { ApiError } from "../http/api-error";
import { refuseCardNumbers } from "../http/card-number-guard";
import { parseOrThrow } from "../http/field-issues";

/** What the API needs of the Alipay client (`createAlipayClient`'s `onboardMerchant`). */
export interface MerchantOnboarding {
  onboardMerchant(merchantId: string, authCode: string): Promise<{ expiresAt: number }>;
}

/** The body of `POST /v1/merchants` (exported for the OpenAPI document). */
export const onboardMerchantBodySchema = z.strictObject({
  merchant_id: z.string().regex(/^\d{16}$/, "16 digits"),
  auth_code: z
    .string()
    .min(1)
    .max(256)
    .describe("the merchant's one-time auth code (Alipay app authorization)"),
});

/**
 * `POST /v1/merchants`: exchanges a merchant's one-time auth code for tokens, which are stored
 * (encrypted) in Redis for the workers. The answer never carries a token. Operators only (a merchant
 * re-onboarded with another app's code would be scored under that app's tokens), each for the
 * merchants of its key; every onboarding leaves an audit line naming the key.
 */
export function merchantRoutes(alipay: MerchantOnboarding, logger: Logger): FastifyPluginAsync {
  return async (app) => {
    app.post("/v1/merchants", async (request, reply) => {
      const caller = callerOf(request);
      requireOperator(caller, "onboarding merchants");
      // An auth_code that is a card number would be sent to Alipay (and logged on failure).
      refuseCardNumbers(request.body);
      const body = parseOrThrow(onboardMerchantBodySchema, request.body);
      if (!actsFor(caller, body.merchant_id))
        throw merchantForbidden(caller, "merchant_id", body.merchant_id);
      let expiresAt: number;
      try {
        ({ expiresAt } = await alipay.onboardMerchant(body.merchant_id, body.auth_code));
      } catch (err) {
        // Another merchant's code: said without naming that merchant, whose account is not the
        // caller's business. Still 400 like every unusable code, with a code of its own.
        if (err instanceof AuthCodeOfAnotherMerchant) {
          throw new ApiError(400, {
            error: "auth_code_of_another_merchant",
            message: `this auth code was not issued by merchant ${body.merchant_id}; ask merchant ${body.merchant_id} for a new auth code`,
          });
        }
        // A code that is wrong or used: the caller's to fix, not retryable.
        if (err instanceof InvalidRequest || err instanceof AuthRevoked) {
          throw new ApiError(400, { error: "invalid_auth_code", message: err.message });
        }
        if (err instanceof AlipayError) {
          logger.warn({ err, merchantId: body.merchant_id }, "onboarding failed upstream");
          throw new ApiError(502, {
            error: "upstream_error",
            message: `Alipay did not complete the onboarding (${err.code}); retry later`,
          });
        }
        throw err;
      }
      logger.info(
        { audit: { action: "onboard", key: caller.name, merchant_id: body.merchant_id } },
        "merchant onboarded",
      );
      reply.code(201);
      return {
        merchant_id: body.merchant_id,
        status: "onboarded",
        token_expires_at: new Date(expiresAt).toISOString(),
      } satisfies OnboardedMerchant;
    });
  };
}

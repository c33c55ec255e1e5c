import {
  DEAD_LETTER_REASONS,
  type DeadLetterPage,
  type DeadLetterReason,
  deadLetterPageSchema,
  deadLetterSchema,
  type OnboardedMerchant,
  onboardedMerchantSchema,
  purgeAnswerSchema,
  redriveAnswerSchema,
} from "@riskq/contracts";
import type { z } from "zod";
import { bodyOf, isNotFound } from "./answer-body";
import { type RiskqClientOptions, resolveClientOptions } from "./client-options";
import { retryingCall } from "./retrying-call";
import type { CallOptions } from "./riskq-client";

// The answer schemas are @riskq/contracts' (shared with the API's OpenAPI document).
export type { DeadLetterPage, OnboardedMerchant };

/** A dead letter as the API shows it: why the job died, its attempts, its payload. */
export type DeadLetterView = z.infer<typeof deadLetterSchema>;

/** Which dead letters a redrive or purge acts on: listed job ids, or every one of a reason. */
export type DeadLetterSelection = { ids: readonly string[] } | { reason: DeadLetterReason };

export interface DeadLetterQuery {
  reason?: DeadLetterReason | undefined;
  offset?: number | undefined;
  /** 1–500; the API's default is 50. */
  limit?: number | undefined;
}

/** The operator side of riskq's HTTP API: dead letters and merchant onboarding. */
export interface RiskqAdminClient {
  /** `GET /v1/dead-letters`: newest first, optionally of one reason, paginated. */
  listDeadLetters(query?: DeadLetterQuery, options?: CallOptions): Promise<DeadLetterPage>;
  /** `GET /v1/dead-letters/{id}`, or undefined when no dead letter has that job id. */
  getDeadLetter(id: string, options?: CallOptions): Promise<DeadLetterView | undefined>;
  /**
   * `POST /v1/dead-letters/redrive`: the jobs go back to `score` with their attempts reset. Ids that
   * are not dead are skipped (absent from `redriven`), so repeating a redrive is harmless.
   */
  redriveDeadLetters(
    selection: DeadLetterSelection,
    options?: CallOptions,
  ): Promise<{ redriven: string[]; count: number }>;
  /**
   * `DELETE /v1/dead-letters`: deletes the dead letters and their failed jobs for good; the job ids
   * become free again. Ids that are not dead are skipped.
   */
  purgeDeadLetters(
    selection: DeadLetterSelection,
    options?: CallOptions,
  ): Promise<{ purged: string[]; count: number }>;
  /**
   * `POST /v1/merchants`: exchanges the merchant's one-time auth code for tokens that riskq stores.
   * Never retried: a code is single-use, so a retry after a lost answer would be refused.
   */
  onboardMerchant(merchantId: string, authCode: string, options?: CallOptions): Promise<OnboardedMerchant>;
}

/** Only what the API accepts goes out: a reason outside the enum would be a 400 anyway. */
function selectionBody(selection: DeadLetterSelection): object {
  if ("ids" in selection) return { ids: [...selection.ids] };
  if (!DEAD_LETTER_REASONS.includes(selection.reason)) {
    throw new TypeError(`unknown dead-letter reason ${JSON.stringify(selection.reason)}`);
  }
  return { reason: selection.reason };
}

/** Creates the operator client; same options (and retries of 503/429/network errors) as the producer SDK. */
export function createRiskqAdminClient(clientOptions: RiskqClientOptions): RiskqAdminClient {
  const options = resolveClientOptions(clientOptions);
  const once = { ...options, retries: { ...options.retries, attempts: 1 } };

  return {
    async listDeadLetters(query = {}, call = {}) {
      const params = new URLSearchParams();
      if (query.reason !== undefined) params.set("reason", query.reason);
      if (query.offset !== undefined) params.set("offset", String(query.offset));
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      const search = params.size > 0 ? `?${params}` : "";
      const answer = await retryingCall(options, {
        method: "GET",
        path: `/v1/dead-letters${search}`,
        signal: call.signal,
      });
      return bodyOf(answer, deadLetterPageSchema);
    },

    async getDeadLetter(id, call = {}) {
      const answer = await retryingCall(options, {
        method: "GET",
        path: `/v1/dead-letters/${encodeURIComponent(id)}`,
        signal: call.signal,
      });
      if (isNotFound(answer)) return undefined;
      return bodyOf(answer, deadLetterSchema);
    },

    async redriveDeadLetters(selection, call = {}) {
      const answer = await retryingCall(options, {
        method: "POST",
        path: "/v1/dead-letters/redrive",
        body: selectionBody(selection),
        signal: call.signal,
      });
      return bodyOf(answer, redriveAnswerSchema);
    },

    async purgeDeadLetters(selection, call = {}) {
      const answer = await retryingCall(options, {
        method: "DELETE",
        path: "/v1/dead-letters",
        body: selectionBody(selection),
        signal: call.signal,
      });
      return bodyOf(answer, purgeAnswerSchema);
    },

    async onboardMerchant(merchantId, authCode, call = {}) {
      const answer = await retryingCall(once, {
        method: "POST",
        path: "/v1/merchants",
        body: { merchant_id: merchantId, auth_code: authCode },
        signal: call.signal,
      });
      return bodyOf(answer, onboardedMerchantSchema);
    },
  };
}

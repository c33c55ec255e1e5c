import type { ScoreRequestBody } from "@riskq/contracts";

/** An Alipay partner id (2088 + 12 digits), the shape of `merchant_id`. */
export const MERCHANT_ID = "2088101122334455";

/** A valid score request; `itemId` must be unique within the test's Redis prefix to get a new job. */
export function scoreRequest(itemId: string, overrides: Partial<ScoreRequestBody> = {}): ScoreRequestBody {
  return {
    task: "transaction_anomaly",
    item_id: itemId,
    merchant_id: MERCHANT_ID,
    amount: "128.50",
    currency: "CNY",
    country: "CN",
    channel: "app",
    // An hour ago: the API refuses payment times more than 400 days back or a day ahead.
    occurred_at: new Date(Date.now() - 3_600_000).toISOString(),
    ...overrides,
  };
}

/** The answer riskq gives to an enqueue, for the test double. */
export const enqueuedAnswer = (request: ScoreRequestBody, duplicate = false) => ({
  id: `${request.merchant_id}-${request.item_id}`,
  item_id: request.item_id,
  status: "queued",
  duplicate,
});

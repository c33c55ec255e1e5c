import type { Billing, ScoreJobResult, ScoreResult } from "@riskq/contracts";

/**
 * A scored item's job result. `cost_usd` is the item's share of its call's bill: the call fee split
 * over the items sent, its own item fee, and the review fee when it was flagged.
 */
export function scoredResult(
  result: ScoreResult,
  call: { modelVersion: string; billing: Billing; itemsSent: number; flaggedInCall: number },
  attempts: number,
): ScoreJobResult {
  const perItem = (Number(call.billing.call_fee) + Number(call.billing.item_fees)) / call.itemsSent;
  const review =
    result.flagged && call.flaggedInCall > 0 ? Number(call.billing.review_fees) / call.flaggedInCall : 0;
  return {
    item_id: result.item_id,
    source: "remote",
    confidence: result.confidence,
    risk_score: result.risk_score,
    risk_level: result.risk_level,
    flagged: result.flagged,
    info_code: result.info_code,
    model_version: call.modelVersion,
    cost_usd: Math.round((perItem + review) * 1e8) / 1e8,
    attempts,
  };
}

/** A job that outlived its deadline before any call: completed unscored, at no cost. */
export function expiredResult(itemId: string, attempts: number): ScoreJobResult {
  return {
    item_id: itemId,
    source: "expired",
    confidence: null,
    risk_score: null,
    risk_level: null,
    flagged: null,
    info_code: [],
    model_version: null,
    cost_usd: 0,
    attempts,
  };
}

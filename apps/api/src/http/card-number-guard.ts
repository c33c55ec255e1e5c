import { findCardNumber } from "@riskq/contracts";
import { ApiError } from "./api-error";

/**
 * Refuses a body holding a card number anywhere (any field, known or not, keys included), before
 * any schema runs: the answer must say "never send card numbers", not "unknown field".
 */
export function refuseCardNumbers(body: unknown): void {
  const field = findCardNumber(body);
  if (field === undefined) return;
  throw new ApiError(400, {
    error: "pan_not_allowed",
    message:
      "this field holds a card number: never send card numbers; send card_fingerprint (a hash of the card) instead",
    field,
  });
}

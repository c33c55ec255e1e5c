import { findCardNumber } from "@riskq/contracts";
import { ApiError } from "./api-error";

/**
 * What a caller with a false positive does: the guard takes any 13–19 digits passing Luhn (one
 * number in ten of that length does), also grouped by spaces or punctuation, for a card number.
 */
const NOT_A_CARD_HINT =
  "if it is an id, not a card number (13–19 digits that happen to pass the Luhn check), put a letter between its digits (e.g. ord-4111x2222…) so no such run remains";

/**
 * Refuses a body holding a card number anywhere (any field, known or not, keys included), before
 * any schema runs: the answer must say "never send card numbers", not "unknown field". Every route
 * that accepts a body runs it, the onboarding's `auth_code` included (it is forwarded to Alipay).
 */
export function refuseCardNumbers(body: unknown): void {
  const field = findCardNumber(body);
  if (field === undefined) return;
  throw new ApiError(400, {
    error: "pan_not_allowed",
    message: `this field holds a card number: never send card numbers; send card_fingerprint (a hash of the card) instead; ${NOT_A_CARD_HINT}`,
    field,
  });
}

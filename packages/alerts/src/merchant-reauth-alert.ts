import type { AlertEventInput } from "./alert-event";

/**
 * The alert of a merchant whose refresh token was refused: it must authorise riskq again. The
 * merchant id is not a secret. Raised at every token-refresh run while it lasts: the alerter groups
 * the runs into one notice per merchant, repeated while the merchant stays revoked.
 */
export function merchantReauthAlert(merchantId: string): AlertEventInput {
  return {
    kind: "merchant_reauth_required",
    subject: merchantId,
    message: `merchant ${merchantId} must re-authorise: its refresh token was refused; its jobs dead-letter as auth_revoked`,
  };
}

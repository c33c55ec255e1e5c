import type { AlertEventInput } from "./alert-event";

/**
 * The warning of a model whose announced retirement (`expiresAt`, epoch ms) is near. Raised at every
 * drift check while it lasts: the alerter keeps one notice per model, repeated.
 */
export function modelExpiringAlert(expiry: { model: string; expiresAt: number }): AlertEventInput {
  const { model } = expiry;
  const at = new Date(expiry.expiresAt).toISOString();
  return {
    kind: "model_expiring",
    subject: model,
    message: `model ${model} retires at ${at}: pin a newer model_version (ALIPAY_MODEL_VERSION) before then`,
  };
}

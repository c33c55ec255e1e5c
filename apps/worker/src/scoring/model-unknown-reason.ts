import type { DeadLetterReason } from "@riskq/contracts";
import type { ModelRouting } from "./model-route";

/** The versions this worker knows of besides the caller's: its default and what drift tracks. */
export interface KnownModels {
  /** ALIPAY_MODEL_VERSION. */
  defaultModelVersion?: string | undefined;
  /** The fallback and the degraded marks (flatlined, or retired as Alipay announced). */
  models?: ModelRouting | undefined;
}

/**
 * The dead-letter reason of a job Alipay answered `invalid-model-version` for. `model_retired` (which
 * alerts operators) only for a version riskq knew: the worker's own default or fallback, or one the
 * drift checks marked. A version only the caller named — a typo, a guess, junk — is the caller's
 * `invalid_payload`: it must not page anyone about a model.
 */
export async function modelUnknownReason(
  callerVersion: string | undefined,
  known: KnownModels,
): Promise<DeadLetterReason> {
  if (callerVersion === undefined) return "model_retired";
  const { models } = known;
  const configured = [known.defaultModelVersion, models?.defaultModelVersion, models?.fallbackModelVersion];
  if (configured.includes(callerVersion)) return "model_retired";
  if (models && (await models.health.degraded(callerVersion)) !== undefined) return "model_retired";
  return "invalid_payload";
}

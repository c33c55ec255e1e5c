import type { AlertEventInput } from "./alert-event";

/**
 * The alert of a flatlined model whose canary spreads again: its degraded mark is cleared. `detail`
 * is the canary's verdict. One group per model.
 */
export function modelRecoveredAlert(recovery: { model: string; detail: string }): AlertEventInput {
  const { model, detail } = recovery;
  return {
    kind: "model_recovered",
    subject: model,
    message: `model ${model} spreads its canary again (${detail}): workers use it again; redrive its model_flatline dead letters to score them`,
  };
}

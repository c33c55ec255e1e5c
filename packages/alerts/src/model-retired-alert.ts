import type { AlertEventInput } from "./alert-event";

/** A model past the retirement date Alipay announced, marked degraded by the drift check. */
export interface ModelRetired {
  model: string;
  /** The announced retirement (epoch ms). */
  retiredAt: number;
  /** Results since the retirement sent back to be scored again. */
  rescored: number;
}

/** The alert of a model retired: workers stop using it. One group per model. */
export function modelRetiredAlert(retirement: ModelRetired): AlertEventInput {
  const { model, rescored } = retirement;
  const at = new Date(retirement.retiredAt).toISOString();
  return {
    kind: "model_retired",
    subject: model,
    message: `model ${model} retired at ${at}: workers stop using it, ${rescored} results since then are scored again`,
  };
}

import type { AlertEventInput } from "./alert-event";

/** A flatline the drift check confirmed with a canary and marked degraded. */
export interface ModelFlatlined {
  model: string;
  /** The task whose windows showed it. */
  task: string;
  /** Start of its first flat window (epoch ms). */
  since: number;
  /** The canary's verdict. */
  detail: string;
  /** Results since `since` sent back to be scored again. */
  rescored: number;
}

/** The alert of a model answering flat scores: marked degraded, workers stop using it. One group per model. */
export function modelFlatlineAlert(flatline: ModelFlatlined): AlertEventInput {
  const { model, task, detail, rescored } = flatline;
  const since = new Date(flatline.since).toISOString();
  return {
    kind: "model_flatline",
    subject: model,
    message: `model ${model} answers flat scores since ${since} (${task}; ${detail}); workers stop using it, ${rescored} results since then are scored again`,
  };
}

import type { ScoreJobData } from "@riskq/contracts";
import { deadMessage } from "@riskq/pipeline";
import { UnrecoverableError } from "bullmq";
import type { ModelHealthCache } from "./model-health-cache";

/** Which model a job is scored with, and what to do when that model is marked degraded. */
export interface ModelRouting {
  health: ModelHealthCache;
  /** The model pinned when a request names none (the worker's ALIPAY_MODEL_VERSION). */
  defaultModelVersion: string;
  /** Where jobs of a degraded model go instead (ALIPAY_FALLBACK_MODEL_VERSION); none dead-letters them. */
  fallbackModelVersion?: string | undefined;
}

/**
 * The job's data as it must be scored: unchanged while its model is healthy; pinned to the fallback
 * model when its own is degraded (the batch key reads the pinned model, so it batches with the
 * fallback's jobs). Throws an UnrecoverableError that dead-letters the job as `model_flatline`
 * when there is no healthy fallback — a flatlined model's 200s are worse than no answer.
 */
export async function routeModel(data: ScoreJobData, routing: ModelRouting): Promise<ScoreJobData> {
  const model = data.request.model_version ?? routing.defaultModelVersion;
  const mark = await routing.health.degraded(model);
  if (mark === undefined) return data;
  const fallback = routing.fallbackModelVersion;
  if (
    fallback !== undefined &&
    fallback !== model &&
    (await routing.health.degraded(fallback)) === undefined
  ) {
    return { ...data, request: { ...data.request, model_version: fallback } };
  }
  throw new UnrecoverableError(
    deadMessage(
      "model_flatline",
      "model_flatline",
      `model ${model} is marked degraded (${mark.reason} since ${new Date(mark.since).toISOString()})` +
        (fallback === undefined ? "" : `; fallback ${fallback} is unusable too`),
    ),
  );
}

import { resolve } from "node:path";
import type { Logger } from "@riskq/observability";
import {
  builtInPrefilter,
  builtInWeights,
  createPrefilter,
  createVerdictStats,
  loadOnnxClassifier,
  type Prefilter,
} from "@riskq/prefilter";
import type { Redis } from "ioredis";
import type { WorkerEnv } from "../worker-env";
import type { WorkerDeps } from "../worker-options";

type PrefilterEnv = Pick<
  WorkerEnv,
  | "RISKQ_PREFILTER"
  | "RISKQ_PREFILTER_FALLBACK"
  | "RISKQ_PREFILTER_ONNX_MODEL"
  | "RISKQ_PREFILTER_ONNX_THRESHOLDS"
  | "RISKQ_PREFILTER_ONNX_RUNTIME"
>;

/** The model the variables ask for: a user's ONNX classifier, or the built-in logistic regression. */
async function prefilterOf(env: PrefilterEnv): Promise<Prefilter> {
  const model = env.RISKQ_PREFILTER_ONNX_MODEL;
  const thresholds = env.RISKQ_PREFILTER_ONNX_THRESHOLDS;
  if (model === undefined) {
    if (thresholds !== undefined)
      throw new Error("RISKQ_PREFILTER_ONNX_THRESHOLDS is set without RISKQ_PREFILTER_ONNX_MODEL");
    return builtInPrefilter();
  }
  // The built-in cuts belong to the built-in model's probabilities, never to another model's.
  if (thresholds === undefined) {
    throw new Error(
      "RISKQ_PREFILTER_ONNX_MODEL needs RISKQ_PREFILTER_ONNX_THRESHOLDS (<legit_max>,<fraud_min>)",
    );
  }
  const classifier = await loadOnnxClassifier({
    path: resolve(model),
    features: builtInWeights().features,
    runtime: env.RISKQ_PREFILTER_ONNX_RUNTIME,
  });
  return createPrefilter({ classifier, thresholds });
}

/**
 * The worker's pre-filter step (docs/prefilter.md, "Pre-filter"): none when it is off and may not stand in
 * for Alipay either; otherwise its model, mode, fallback and the verdict counts under the prefix.
 * Rejects with a message naming the variable when the model cannot be loaded.
 */
export async function createWorkerPrefilter(options: {
  env: PrefilterEnv;
  redis: Redis;
  prefix: string;
  logger: Pick<Logger, "warn">;
}): Promise<WorkerDeps["prefilter"]> {
  const { env } = options;
  if (env.RISKQ_PREFILTER === "off" && !env.RISKQ_PREFILTER_FALLBACK) return undefined;
  return {
    prefilter: await prefilterOf(env),
    mode: env.RISKQ_PREFILTER,
    fallback: env.RISKQ_PREFILTER_FALLBACK,
    stats: createVerdictStats({
      redis: options.redis,
      prefix: options.prefix,
      onError: (err) => options.logger.warn({ err }, "could not write the pre-filter's verdict counts"),
    }),
  };
}

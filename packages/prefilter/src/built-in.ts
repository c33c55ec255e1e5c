import { readFileSync } from "node:fs";
import { createLogisticClassifier } from "./logistic-classifier";
import { createPrefilter, type Prefilter } from "./prefilter";
import { type PrefilterWeights, prefilterWeightsSchema } from "./prefilter-weights";

/** The committed weights (src/weights.json, written by scripts/train.ts), checked on load. */
export function builtInWeights(): PrefilterWeights {
  const raw = readFileSync(new URL("./weights.json", import.meta.url), "utf8");
  return prefilterWeightsSchema.parse(JSON.parse(raw));
}

/** The built-in pre-filter: the committed logistic regression with its own thresholds. */
export function builtInPrefilter(weights: PrefilterWeights = builtInWeights()): Prefilter {
  return createPrefilter({ classifier: createLogisticClassifier(weights), thresholds: weights.thresholds });
}

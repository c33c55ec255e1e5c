import { createLogisticClassifier } from "./logistic-classifier";
import { createPrefilter, type Prefilter } from "./prefilter";
import { type PrefilterWeights, prefilterWeightsSchema } from "./prefilter-weights";
// Imported rather than read from disk: a bundle (`pnpm build`) carries the weights inside it.
import committedWeights from "./weights.json" with { type: "json" };

/** The committed weights (src/weights.json, written by scripts/train.ts), checked on load. */
export function builtInWeights(): PrefilterWeights {
  return prefilterWeightsSchema.parse(committedWeights);
}

/** The built-in pre-filter: the committed logistic regression with its own thresholds. */
export function builtInPrefilter(weights: PrefilterWeights = builtInWeights()): Prefilter {
  return createPrefilter({ classifier: createLogisticClassifier(weights), thresholds: weights.thresholds });
}

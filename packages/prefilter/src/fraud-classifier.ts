import type { ScoreItem } from "@riskq/contracts";
import type { OutOfDistribution } from "./payment-features";

/** One item as a classifier saw it. */
export type ClassifierOutput =
  | {
      /** P(fraud), in [0, 1]. */
      probability: number;
      /** Contract-style codes of what pushed the score up most (may be empty). */
      info_code: string[];
    }
  | { outOfDistribution: OutOfDistribution };

/**
 * A local fraud model: the built-in logistic regression or a user's ONNX classifier. Async because
 * an ONNX session runs asynchronously; the built-in one answers at once.
 */
export interface FraudClassifier {
  /** Names the weights or model file; results carry `prefilter-<version>`. */
  readonly version: string;
  classify(item: ScoreItem): ClassifierOutput | Promise<ClassifierOutput>;
}

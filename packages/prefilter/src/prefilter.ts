import { DEFAULT_CONFIDENCE_THRESHOLD, type RiskLevel, type ScoreItem } from "@riskq/contracts";
import { decisionScale, riskLevelOf } from "./decision-scale";
import type { FraudClassifier } from "./fraud-classifier";
import type { OutOfDistribution } from "./payment-features";
import type { DecisionThresholds } from "./prefilter-weights";

/** What a pre-filter result says, in the shape of a remote one (docs/alipay-ai-api.md §6.2). */
export interface PrefilterScore {
  confidence: number;
  risk_score: number;
  risk_level: RiskLevel;
  /** `confidence ≥` the job's threshold, as the remote decides it. */
  flagged: boolean;
  info_code: string[];
}

/**
 * The pre-filter's view of one item: clearly legitimate or clearly fraudulent (decided locally),
 * unsure (Alipay must score it), or not judged at all (unlike the training traffic).
 */
export type PrefilterVerdict =
  | {
      decision: "legit" | "fraud" | "unsure";
      /** The classifier's P(fraud). */
      probability: number;
      /** The result it gives, also for "unsure" (used when Alipay cannot be reached). */
      score: PrefilterScore;
    }
  | { decision: "unjudged"; reason: OutOfDistribution };

export interface Prefilter {
  /** What results carry as `model_version`: `prefilter-<classifier version>`. */
  readonly modelVersion: string;
  readonly thresholds: DecisionThresholds;
  /**
   * Judges one item for a job with this `confidence_threshold` (undefined: the contract's default).
   * Only jobs at the default threshold are decided: the cuts were chosen against the remote's
   * flags at 0.7, and say nothing about a caller who asked for more or fewer flags.
   */
  judge(item: ScoreItem, confidenceThreshold?: number): Promise<PrefilterVerdict>;
}

export function createPrefilter(options: {
  classifier: FraudClassifier;
  thresholds: DecisionThresholds;
}): Prefilter {
  const { classifier, thresholds } = options;
  const scale = decisionScale(thresholds);
  return {
    modelVersion: `prefilter-${classifier.version}`,
    thresholds,
    async judge(item, confidenceThreshold) {
      const out = await classifier.classify(item);
      if ("outOfDistribution" in out) return { decision: "unjudged", reason: out.outOfDistribution };
      const { probability } = out;
      const confidence = scale(probability);
      const threshold = confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
      const flagged = confidence >= threshold;
      const score: PrefilterScore = {
        confidence,
        risk_score: Math.round(confidence * 100),
        risk_level: riskLevelOf(confidence),
        flagged,
        info_code: flagged ? out.info_code : [],
      };
      const tuned = threshold === DEFAULT_CONFIDENCE_THRESHOLD;
      const decision =
        tuned && probability <= thresholds.legit_max
          ? "legit"
          : tuned && probability >= thresholds.fraud_min
            ? "fraud"
            : "unsure";
      return { decision, probability, score };
    },
  };
}

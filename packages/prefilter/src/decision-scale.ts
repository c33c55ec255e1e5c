import { DEFAULT_CONFIDENCE_THRESHOLD, type RiskLevel } from "@riskq/contracts";
import type { DecisionThresholds } from "./prefilter-weights";

/**
 * Where the pre-filter's two thresholds land on the remote model's confidence scale: a clearly
 * legitimate item reads "low" (< 0.3), a clearly fraudulent one is flagged at the default threshold.
 */
const LEGIT_ANCHOR = 0.25;
const FRAUD_ANCHOR = DEFAULT_CONFIDENCE_THRESHOLD;

const logit = (p: number) => Math.log(p / (1 - p));
/** Probabilities of exactly 0 or 1 would give infinite log-odds. */
const clampProbability = (p: number) => Math.min(1 - 1e-12, Math.max(1e-12, p));

/** The contract's bands (6.2): <0.3 low, <0.6 medium, <0.85 high, else reject. */
export function riskLevelOf(confidence: number): RiskLevel {
  if (confidence < 0.3) return "low";
  if (confidence < 0.6) return "medium";
  if (confidence < 0.85) return "high";
  return "reject";
}

/**
 * Maps P(fraud) onto the remote's decision scale, monotonically (affine in log-odds), so that the
 * results of both sources read alike: `legit_max` ↦ 0.25, `fraud_min` ↦ 0.7. A calibrated
 * probability would not do: fraud is rare, so even a clear case is P ≈ 0.3, which the contract's
 * bands would call "medium" and a 0.7 threshold would not flag. Rounded to 4 decimals as the
 * contract's confidences are.
 */
export function decisionScale(thresholds: DecisionThresholds): (probability: number) => number {
  const low = logit(clampProbability(thresholds.legit_max));
  const high = logit(clampProbability(thresholds.fraud_min));
  const slope = (logit(FRAUD_ANCHOR) - logit(LEGIT_ANCHOR)) / (high - low);
  const offset = logit(FRAUD_ANCHOR) - slope * high;
  return (probability) => {
    const confidence = 1 / (1 + Math.exp(-(slope * logit(clampProbability(probability)) + offset)));
    return Math.round(confidence * 10_000) / 10_000;
  };
}

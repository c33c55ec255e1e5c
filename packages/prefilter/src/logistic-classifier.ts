import type { ScoreItem } from "@riskq/contracts";
import type { ClassifierOutput, FraudClassifier } from "./fraud-classifier";
import { sigmoid } from "./logistic-fit";
import { createFeatureExtractor } from "./payment-features";
import type { PrefilterWeights } from "./prefilter-weights";

/** A feature is named in info_code when it adds at least this much log-odds (as the remote does). */
const CODE_MIN_LOG_ODDS = 0.5;
const MAX_CODES = 3;

/** The remote's codes (docs/alipay-ai-api.md §6.2) for the evidence our features carry. */
function codeOf(feature: string): string | undefined {
  if (feature === "amount_big") return "AMOUNT_OUTLIER";
  if (feature === "amount_probe") return "SMALL_AMOUNT_PROBE";
  if (feature === "foreign") return "FOREIGN_COUNTRY";
  if (feature.startsWith("country:")) return "RISKY_COUNTRY";
  if (feature.startsWith("mcc:")) return "RISKY_MCC";
  if (feature === "channel:web") return "WEB_CHANNEL";
  if (feature.startsWith("hour:")) return "NIGHT_TIME";
  return undefined;
}

/** The built-in model: the committed logistic regression over the item's own fields. */
export interface LogisticClassifier extends FraudClassifier {
  classify(item: ScoreItem): ClassifierOutput;
}

export function createLogisticClassifier(weights: PrefilterWeights): LogisticClassifier {
  const extractor = createFeatureExtractor(weights.features);
  const coefficient = new Map(Object.entries(weights.weights));
  return {
    version: weights.version,
    classify(item) {
      const features = extractor.extract(item);
      if ("outOfDistribution" in features) return features;
      let logOdds = weights.intercept;
      const standouts: { code: string; added: number }[] = [];
      for (let i = 0; i < features.names.length; i++) {
        const name = features.names[i] as string;
        const added = (coefficient.get(name) ?? 0) * (features.values[i] as number);
        logOdds += added;
        const code = added >= CODE_MIN_LOG_ODDS ? codeOf(name) : undefined;
        if (code !== undefined) standouts.push({ code, added });
      }
      standouts.sort((a, b) => b.added - a.added);
      const info_code = [...new Set(standouts.map((s) => s.code))].slice(0, MAX_CODES);
      return { probability: sigmoid(logOdds), info_code };
    },
  };
}

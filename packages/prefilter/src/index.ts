// The local pre-filter (docs/prefilter.md, "Pre-filter"): decides clear cases without calling Alipay.
export { builtInPrefilter, builtInWeights } from "./built-in";
export { decisionScale, riskLevelOf } from "./decision-scale";
export type { ClassifierOutput, FraudClassifier } from "./fraud-classifier";
export { createLogisticClassifier, type LogisticClassifier } from "./logistic-classifier";
export {
  fitLogistic,
  type LogisticFit,
  type LogisticFitOptions,
  type SparseRows,
  sigmoid,
} from "./logistic-fit";
export {
  DEFAULT_ONNX_RUNTIME,
  loadOnnxClassifier,
  type OnnxClassifierOptions,
  OnnxModelInvalid,
  OnnxRuntimeMissing,
} from "./onnx-classifier";
export {
  createFeatureExtractor,
  cstHourOf,
  type FeatureExtractor,
  type FeatureSpace,
  featureSpaceSchema,
  type OutOfDistribution,
  type PaymentFeatures,
} from "./payment-features";
export { createPrefilter, type Prefilter, type PrefilterScore, type PrefilterVerdict } from "./prefilter";
export {
  type DecisionThresholds,
  decisionThresholdsSchema,
  type PrefilterWeights,
  prefilterWeightsSchema,
} from "./prefilter-weights";
export { type DecisionCounts, precisionOf, rocAuc, widestCut } from "./ranking-quality";
export { type LabelledPayment, learnFeatureSpace, type TrainingSettings, trainPrefilter } from "./training";
export {
  createVerdictStats,
  type RemoteAnswer,
  readVerdictStats,
  type VerdictStats,
  type VerdictStatsOptions,
  type VerdictUse,
  verdictStatsKey,
} from "./verdict-stats";

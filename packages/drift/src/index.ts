/**
 * Drift detection over windows of confidence scores per (model_version, task): the window
 * representation, the flatline signals and verdict, the canary confirmation, PSI, and the Redis
 * storage of windows and of model health marks. Everything but the storage is pure.
 */
export { CANARY_SPREAD, isSpread, type SpreadOptions } from "./canary";
export {
  FLATLINE_DEFAULTS,
  FLATLINE_THRESHOLDS,
  type FlatlineSignal,
  type FlatlineSignals,
  type FlatlineVerdict,
  type FlatlineVerdictOptions,
  flatlineSignals,
  flatlineVerdict,
} from "./flatline";
export {
  clearDegraded,
  type DegradedMark,
  type DegradedReason,
  degradedKey,
  degradedModels,
  isDegraded,
  markDegraded,
  modelExpiryKey,
  readModelExpiry,
  recordModelExpiry,
} from "./model-health";
export {
  type DriftLevel,
  type DriftReport,
  type DriftReportOptions,
  driftReport,
  PSI_EPSILON,
  PSI_LEVELS,
  psi,
} from "./psi";
export {
  addScore,
  emptyWindow,
  mergeWindows,
  SCORE_SCALE,
  type ScoreWindow,
  scoreKey,
  windowOf,
  windowSize,
} from "./score-window";
export {
  DEFAULT_TTL_WINDOWS,
  listSeries,
  type ReadRecentWindowsOptions,
  type RecordScoresOptions,
  readRecentWindows,
  readWindow,
  recordScores,
  type StoredWindow,
  seriesRegistryKey,
  type WindowSeries,
  windowKey,
  windowStartOf,
} from "./score-windows";
export { binOf, ENTROPY_BINS, summarize, type WindowSummary } from "./window-summary";

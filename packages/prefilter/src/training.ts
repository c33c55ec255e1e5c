import { createHash } from "node:crypto";
import type { ScoreItem } from "@riskq/contracts";
import { createLogisticClassifier } from "./logistic-classifier";
import { fitLogistic, type SparseRows } from "./logistic-fit";
import { createFeatureExtractor, type FeatureSpace, logAmount } from "./payment-features";
import type { PrefilterWeights } from "./prefilter-weights";
import { precisionOf, rocAuc, widestCut } from "./ranking-quality";

/** A payment with its ground truth (the synthetic generator's `LabelledItem`). */
export interface LabelledPayment {
  item: ScoreItem;
  is_fraud: boolean;
}

/** How to fit and cut: everything but the data, recorded in the weights file. */
export interface TrainingSettings {
  /** A currency, country or MCC needs this many training items to be judged at all. */
  minSupport: number;
  l2: number;
  maxIterations: number;
  tolerance: number;
  /**
   * Precision each kind of local decision must reach on the validation traffic: the share truly
   * legitimate of the items called clearly legitimate, the share truly fraudulent of those called
   * clearly fraudulent.
   */
  targets: { legit_precision: number; fraud_precision: number };
  /** A cut must decide at least this many validation items (a handful proves no precision). */
  minDecided: number;
}

/** Items with equal-width robust spreads below this are too tight to trust: floor the spread. */
const MIN_AMOUNT_SCALE = 0.1;
/** 1.4826 × median absolute deviation estimates a normal's standard deviation, unmoved by outliers. */
const MAD_TO_SD = 1.4826;

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function robustNorm(logAmounts: number[]): { median: number; scale: number } {
  const sorted = [...logAmounts].sort((a, b) => a - b);
  const centre = median(sorted);
  const deviations = sorted.map((x) => Math.abs(x - centre)).sort((a, b) => a - b);
  return { median: centre, scale: Math.max(MIN_AMOUNT_SCALE, MAD_TO_SD * median(deviations)) };
}

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

function listIn(lists: Map<string, number[]>, key: string): number[] {
  let list = lists.get(key);
  if (!list) {
    list = [];
    lists.set(key, list);
  }
  return list;
}

const frequent = (counts: Map<string, number>, minSupport: number): string[] =>
  [...counts]
    .filter(([, n]) => n >= minSupport)
    .map(([k]) => k)
    .sort();

/** What the training traffic says about payments, without looking at its labels. */
export function learnFeatureSpace(items: readonly ScoreItem[], minSupport: number): FeatureSpace {
  const currencies = frequent(
    countBy(items, (i) => i.currency),
    minSupport,
  );
  const home_country: Record<string, string> = {};
  for (const currency of currencies) {
    const byCountry = countBy(
      items.filter((i) => i.currency === currency),
      (i) => i.country,
    );
    // Most common; ties go to the alphabetically first so the choice never depends on order.
    const [home] = [...byCountry].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (home) home_country[currency] = home[0];
  }
  const byCurrencyMcc = new Map<string, number[]>();
  for (const item of items) {
    if (item.mcc === undefined || !currencies.includes(item.currency)) continue;
    listIn(byCurrencyMcc, `${item.currency}|${item.mcc}`).push(logAmount(item.amount));
  }
  const medianOf = (key: string): number | undefined => {
    const list = byCurrencyMcc.get(key);
    return list && list.length >= minSupport ? median([...list].sort((a, b) => a - b)) : undefined;
  };
  // CNY when the traffic is Alipay's; whatever currency is most common otherwise.
  const base = [...countBy(items, (i) => i.currency)].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  )[0]?.[0];
  const mccs = frequent(
    countBy(items, (i) => i.mcc),
    minSupport,
  );
  const currency_offsets: Record<string, number> = {};
  for (const currency of currencies) {
    const gaps: number[] = [];
    for (const mcc of mccs) {
      const own = medianOf(`${currency}|${mcc}`);
      const reference = medianOf(`${base}|${mcc}`);
      if (own !== undefined && reference !== undefined) gaps.push(own - reference);
    }
    currency_offsets[currency] = gaps.length === 0 ? 0 : median(gaps.sort((a, b) => a - b));
  }
  const pooled = new Map<string, number[]>();
  for (const [key, list] of byCurrencyMcc) {
    const [currency, mcc] = key.split("|") as [string, string];
    const offset = currency_offsets[currency] ?? 0;
    for (const x of list) {
      listIn(pooled, mcc).push(x - offset);
      listIn(pooled, "*").push(x - offset);
    }
  }
  const amount_norms: FeatureSpace["amount_norms"] = {};
  for (const key of [...pooled.keys()].sort()) {
    const list = pooled.get(key) as number[];
    if (list.length >= minSupport) amount_norms[key] = robustNorm(list);
  }
  return {
    currencies,
    countries: frequent(
      countBy(items, (i) => i.country),
      minSupport,
    ),
    mccs,
    home_country,
    currency_offsets,
    amount_norms,
  };
}

function sparseRows(space: FeatureSpace, data: readonly LabelledPayment[]): SparseRows {
  const extractor = createFeatureExtractor(space);
  const position = new Map(extractor.names.map((name, i) => [name, i]));
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const labels: number[] = [];
  for (const { item, is_fraud } of data) {
    const features = extractor.extract(item);
    if ("outOfDistribution" in features) continue;
    features.names.forEach((name, k) => {
      indices.push(position.get(name) as number);
      values.push(features.values[k] as number);
    });
    starts.push(indices.length);
    labels.push(is_fraud ? 1 : 0);
  }
  return {
    dimension: extractor.names.length,
    starts: Int32Array.from(starts),
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
    labels: Uint8Array.from(labels),
  };
}

/** A short digest naming one trained model: same coefficients, same version. */
function versionOf(content: unknown): string {
  return `lr-${createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 8)}`;
}

/**
 * Fits the pre-filter on `train` and picks its two thresholds on `validation` (other merchants,
 * other days), so the precision targets are met on traffic the weights never saw. Deterministic:
 * the same data and settings give the same file, bit for bit.
 */
export function trainPrefilter(input: {
  train: readonly LabelledPayment[];
  validation: readonly LabelledPayment[];
  settings: TrainingSettings;
  /** Stored as is in the weights file: where the data came from (seeds, counts). */
  recipe: Record<string, unknown>;
}): PrefilterWeights {
  const { settings } = input;
  const features = learnFeatureSpace(
    input.train.map((t) => t.item),
    settings.minSupport,
  );
  const rows = sparseRows(features, input.train);
  const fit = fitLogistic(rows, settings);
  const names = createFeatureExtractor(features).names;
  const weights: Record<string, number> = {};
  names.forEach((name, i) => {
    weights[name] = fit.weights[i] as number;
  });

  // Score the validation traffic with the model exactly as it will run.
  const draft: PrefilterWeights = {
    format: "riskq-prefilter-logistic/1",
    version: "lr-00000000",
    recipe: {},
    features,
    intercept: fit.intercept,
    weights,
    thresholds: { legit_max: 0, fraud_min: 1 },
    targets: settings.targets,
    validation: {
      items: 0,
      fraud: 0,
      auc: 0,
      legit: { items: 0, fraud: 0, precision: 0 },
      fraud_cut: { items: 0, fraud: 0, precision: 0 },
      out_of_distribution: 0,
    },
  };
  const classifier = createLogisticClassifier(draft);
  const scores: number[] = [];
  const labels: boolean[] = [];
  let outOfDistribution = 0;
  for (const { item, is_fraud } of input.validation) {
    const out = classifier.classify(item);
    if ("outOfDistribution" in out) {
      outOfDistribution++;
      continue;
    }
    scores.push(out.probability);
    labels.push(is_fraud);
  }
  const cutOptions = (precision: number) => ({ precision, minItems: settings.minDecided });
  const legit = widestCut(scores, labels, "legit", cutOptions(settings.targets.legit_precision));
  const fraud = widestCut(scores, labels, "fraud", cutOptions(settings.targets.fraud_precision));
  if (!legit || !fraud || legit.threshold >= fraud.threshold) {
    throw new Error("no thresholds reach the precision targets on the validation traffic");
  }
  const thresholds = { legit_max: legit.threshold, fraud_min: fraud.threshold };
  const version = versionOf({ features, intercept: fit.intercept, weights, thresholds });
  return {
    ...draft,
    version,
    recipe: { ...input.recipe, iterations: fit.iterations, train_log_loss: fit.logLoss },
    thresholds,
    validation: {
      items: input.validation.length,
      fraud: input.validation.filter((v) => v.is_fraud).length,
      auc: rocAuc(scores, labels),
      legit: { ...legit.counts, precision: precisionOf(legit.counts, "legit") },
      fraud_cut: { ...fraud.counts, precision: precisionOf(fraud.counts, "fraud") },
      out_of_distribution: outOfDistribution,
    },
  };
}

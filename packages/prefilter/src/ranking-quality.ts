/**
 * How well scores separate fraud from legitimate payments: what training uses to pick thresholds
 * and the bench uses to compare the pre-filter, the remote model and the whole pipeline.
 */

/** Area under the ROC curve (ties count half); NaN without both classes. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean | number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number]) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Counts of one set of decisions against the truth. */
export interface DecisionCounts {
  /** Items the decision covers. */
  items: number;
  /** Of those, truly fraudulent. */
  fraud: number;
}

/** Share of a set that is what the decision claims: fraud for a "fraud" set, legitimate for a "legit" one. */
export function precisionOf(counts: DecisionCounts, claim: "fraud" | "legit"): number {
  if (counts.items === 0) return Number.NaN;
  return claim === "fraud" ? counts.fraud / counts.items : 1 - counts.fraud / counts.items;
}

/**
 * The widest cut that keeps a target precision: the lowest score t such that the items scoring ≥ t
 * ("fraud") are at least `precision` fraudulent, or the highest t such that the items scoring ≤ t
 * ("legit") are at least `precision` legitimate. Undefined when not even `minItems` items qualify.
 */
export function widestCut(
  scores: ArrayLike<number>,
  labels: ArrayLike<boolean | number>,
  claim: "fraud" | "legit",
  options: { precision: number; minItems: number },
): { threshold: number; counts: DecisionCounts } | undefined {
  const sign = claim === "fraud" ? -1 : 1;
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => sign * ((scores[a] as number) - (scores[b] as number)) || a - b,
  );
  let fraud = 0;
  let best: { threshold: number; counts: DecisionCounts } | undefined;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (labels[i]) fraud++;
    const score = scores[i] as number;
    // A cut falls between distinct scores only: items with equal scores are decided alike.
    const next = order[k + 1];
    if (next !== undefined && scores[next] === score) continue;
    const counts = { items: k + 1, fraud };
    if (counts.items >= options.minItems && precisionOf(counts, claim) >= options.precision) {
      best = { threshold: score, counts };
    }
  }
  return best;
}

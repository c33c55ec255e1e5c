import type { AlipayClient } from "@riskq/alipay";
import { TASKS, type Task } from "@riskq/contracts";
import { isSpread, summarize, windowOf } from "@riskq/drift";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";

/** Items in a canary batch: enough for the spread floors (5 distinct values), one cheap call. */
const CANARY_ITEMS = 24;
/** Fewer answered items than this (a silent drop, a truncation) is no verdict either way. */
const MIN_ANSWERED = 12;
/** A fixed seed: the same known-diverse set every time, so canaries compare across runs. */
const CANARY_SEED = 20_261_126;

/** A canary's answer: whether the model still spreads known-diverse items (undefined: no verdict). */
export interface CanaryVerdict {
  spread: boolean | undefined;
  detail: string;
}

/**
 * The canary items for `merchantId`: synthetic payments with a high fraud share (honest payments
 * and several fraud patterns score far apart on a healthy model), under fresh item ids so that no
 * idempotency cache on the remote can answer them from an earlier canary.
 */
function canaryItems(merchantId: string, at: number) {
  const merchants = generateMerchants({ seed: CANARY_SEED, count: 1 });
  const traffic = generateTraffic({
    seed: CANARY_SEED,
    merchants,
    count: CANARY_ITEMS,
    start: at,
    fraudRate: 0.5,
  });
  return traffic.map((t, i) => ({
    ...t.item,
    merchant_id: merchantId,
    item_id: `canary-${at.toString(36)}-${i}`,
  }));
}

/**
 * Scores the canary batch with `modelVersion` pinned, for the first onboarded merchant, and judges
 * its spread (`isSpread`). Never throws: a canary that could not run confirms nothing.
 */
export async function runCanary(
  alipay: Pick<AlipayClient, "listMerchants" | "scoreBatch">,
  modelVersion: string,
  task: string,
  at: number,
): Promise<CanaryVerdict> {
  try {
    const [merchantId] = await alipay.listMerchants();
    if (merchantId === undefined)
      return { spread: undefined, detail: "no onboarded merchant to run a canary for" };
    const answer = await alipay.scoreBatch({
      merchantId,
      task: asTask(task),
      modelVersion,
      items: canaryItems(merchantId, at),
    });
    const confidences = answer.outcomes.flatMap((o) => ("result" in o ? [o.result.confidence] : []));
    if (confidences.length < MIN_ANSWERED) {
      return {
        spread: undefined,
        detail: `canary: only ${confidences.length} of ${CANARY_ITEMS} items answered`,
      };
    }
    const summary = summarize(windowOf(confidences));
    return {
      spread: isSpread(summary),
      detail: `canary: std ${summary.std.toFixed(4)}, ${summary.distinct} distinct of ${summary.n}`,
    };
  } catch (err) {
    return {
      spread: undefined,
      detail: `canary failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** A series' task as the API knows it; an unknown one (cannot be recorded by a worker) falls back. */
function asTask(task: string): Task {
  return (TASKS as readonly string[]).includes(task) ? (task as Task) : "transaction_anomaly";
}

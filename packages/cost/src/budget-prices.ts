import { usdToMicros } from "./budget-money";

/** The fees a scoring call can bill (alipay-ai-api.md section 9), in USD. */
export interface BudgetPrices {
  /** Every status-200 scoring call. */
  callFeeUsd: number;
  /** Every item sent, truncated ones included. */
  itemFeeUsd: number;
  /** Every flagged item (deep review). */
  reviewFeeUsd: number;
}

/** The published prices. There is no price preview, so the guard reserves against these. */
export const PUBLISHED_PRICES: BudgetPrices = { callFeeUsd: 0.01, itemFeeUsd: 0.0001, reviewFeeUsd: 0.004 };

/** The prices as the scripts take them: the fixed part and the worst case per item, in micro-dollars. */
export interface WorstCase {
  callMicros: number;
  /** Item fee plus review fee: the bill of an item if every one were flagged. */
  perItemMicros: number;
}

export function worstCaseOf(prices: BudgetPrices): WorstCase {
  return {
    callMicros: usdToMicros(prices.callFeeUsd),
    perItemMicros: usdToMicros(prices.itemFeeUsd) + usdToMicros(prices.reviewFeeUsd),
  };
}

/**
 * The most a call of `items` items can bill: call fee + items × (item fee + review fee). Real bills
 * are far lower (a few percent of items are flagged), which is why a reservation is settled to the
 * call's actual `billing` as soon as it answers.
 */
export function worstCaseMicros(worst: WorstCase, items: number): number {
  return worst.callMicros + items * worst.perItemMicros;
}

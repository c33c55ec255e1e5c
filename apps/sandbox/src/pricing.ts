/**
 * Per-call pricing (docs/alipay-ai-api.md §9), kept in integer units of 0.0001 USD so sums are exact.
 */
const PRICE_UNITS = { call: 100, item: 1, review: 40 } as const;

export interface BillingUnits {
  call: number;
  items: number;
  reviews: number;
}

const formatUnits = (units: number): string => (units / 10_000).toFixed(4);

export function billingUnits(itemsBilled: number, flagged: number, callBilled = true): BillingUnits {
  return {
    call: callBilled ? PRICE_UNITS.call : 0,
    items: itemsBilled * PRICE_UNITS.item,
    reviews: flagged * PRICE_UNITS.review,
  };
}

export const totalUnits = (b: BillingUnits): number => b.call + b.items + b.reviews;

/** The `billing` object of a scoring response. */
export function billingBody(b: BillingUnits) {
  return {
    call_fee: formatUnits(b.call),
    item_fees: formatUnits(b.items),
    review_fees: formatUnits(b.reviews),
    total: formatUnits(totalUnits(b)),
    currency: "USD" as const,
  };
}

/** The published price list (GET pricing). */
export const pricingBody = () => ({
  currency: "USD" as const,
  call_fee: formatUnits(PRICE_UNITS.call),
  item_fee: formatUnits(PRICE_UNITS.item),
  review_fee: formatUnits(PRICE_UNITS.review),
});

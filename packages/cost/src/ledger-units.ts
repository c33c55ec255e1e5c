/**
 * Money in the ledger: integer units of 0.0001 USD, the precision of every `billing` field
 * (docs/alipay-ai-api.md §9). Sums of integers are exact; sums of 0.0141-style floats drift.
 */

/** One USD in ledger units. */
export const UNITS_PER_USD = 10_000;

/** Fees of the published price list (docs/alipay-ai-api.md §9), in units of 0.0001 USD. */
export interface PriceList {
  /** Per status-200 scoring call, silent drops and truncated batches included. */
  call: number;
  /** Per item sent (truncated items included; a silent drop bills none). */
  item: number;
  /** Per flagged item (deep review). */
  review: number;
}

/** The price list of docs/alipay-ai-api.md §9: 0.0100 per call, 0.0001 per item, 0.0040 per flagged item. */
export const PUBLISHED_PRICE_UNITS: Readonly<PriceList> = Object.freeze({ call: 100, item: 1, review: 40 });

/**
 * `"0.0141"` → 141, without going through a float. Anything but a non-negative decimal with at
 * most 4 places is refused: a fee the ledger cannot hold exactly must not be rounded silently.
 */
export function unitsOf(fee: string): number {
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(fee);
  if (!match) throw new RangeError(`not a fee with at most 4 decimal places: ${JSON.stringify(fee)}`);
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(4, "0"));
  const units = whole * UNITS_PER_USD + fraction;
  if (!Number.isSafeInteger(units)) throw new RangeError(`fee out of range: ${fee}`);
  return units;
}

/** 141 → `"0.0141"` (rounded to a whole unit first: simulated bills are fractional). */
export function usdOf(units: number): string {
  const whole = Math.round(units);
  const sign = whole < 0 ? "-" : "";
  const abs = Math.abs(whole);
  return `${sign}${Math.floor(abs / UNITS_PER_USD)}.${String(abs % UNITS_PER_USD).padStart(4, "0")}`;
}

/**
 * Budgets count money in integer micro-dollars (1 USD = 1 000 000): Redis increments integers
 * exactly, and every published fee (4 decimal places) is a whole number of micro-dollars.
 */
const MICROS_PER_USD = 1_000_000;

/** USD (a number or a billing field such as "0.0420") in micro-dollars. */
export function usdToMicros(usd: number | string): number {
  return Math.round(Number(usd) * MICROS_PER_USD);
}

export function microsToUsd(micros: number): number {
  return micros / MICROS_PER_USD;
}

/** "$4.0213" — four places, as Alipay bills. */
export function formatUsd(micros: number): string {
  return `$${microsToUsd(micros).toFixed(4)}`;
}

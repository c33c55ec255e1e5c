/** Ledger days: UTC calendar days, written `YYYY-MM-DD` (what the CLI takes and prints). */

const DAY_MS = 86_400_000;

/** The UTC day holding `epochMs`. */
export function utcDayOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 (the score of a day in the index of recorded days). */
export function dayNumberOf(day: string): number {
  return Date.parse(`${checkDay(day)}T00:00:00Z`) / DAY_MS;
}

/** `day` itself when it is a real calendar day written `YYYY-MM-DD`; a RangeError otherwise. */
export function checkDay(day: string): string {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  // Date.parse rolls 2026-02-30 over to March: a day must print back as itself.
  if (Number.isNaN(at) || utcDayOf(at) !== day) throw new RangeError(`not a day (YYYY-MM-DD): ${day}`);
  return day;
}

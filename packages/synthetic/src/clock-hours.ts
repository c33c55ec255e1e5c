const HOUR_MS = 3_600_000;
// Merchants and the hidden model both reason in China Standard Time (UTC+8, no daylight saving).
const CST_OFFSET_HOURS = 8;

/** Hour of day (0–23) in China Standard Time of an epoch-millisecond instant. */
export function cstHour(epochMs: number): number {
  return (((Math.floor(epochMs / HOUR_MS) + CST_OFFSET_HOURS) % 24) + 24) % 24;
}

/** Whether an hour falls in [from, to); wraps past midnight when from > to; from === to means all day. */
export function withinHours(hour: number, hours: { from: number; to: number }): boolean {
  const { from, to } = hours;
  if (from === to) return true;
  return from < to ? hour >= from && hour < to : hour >= from || hour < to;
}

/** RFC 3339 in UTC with whole seconds, e.g. 2026-11-26T08:00:00Z. */
export function rfc3339(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

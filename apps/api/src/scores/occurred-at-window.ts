import type { FieldIssue } from "../http/field-issues";

const DAY_MS = 86_400_000;
/** How far back `occurred_at` may be: past this, the payment is history, not something to score. */
const OCCURRED_AT_MAX_AGE_DAYS = 400;
/** How far ahead: a day covers any time zone and clock skew; a later time is a mistake. */
const OCCURRED_AT_MAX_AHEAD_DAYS = 1;

/**
 * The field error of an `occurred_at` outside [now − 400 days, now + 1 day], or undefined. The
 * contract only asks for an RFC 3339 date-time, so year 0001 or 9999 was scored (and billed), and
 * features derived from the time (hour of day, velocity) were nonsense.
 */
export function occurredAtIssue(occurredAt: string, now: number, path: string): FieldIssue | undefined {
  const at = Date.parse(occurredAt);
  if (at >= now - OCCURRED_AT_MAX_AGE_DAYS * DAY_MS && at <= now + OCCURRED_AT_MAX_AHEAD_DAYS * DAY_MS) {
    return undefined;
  }
  return {
    path,
    message: `occurred_at must be within the last ${OCCURRED_AT_MAX_AGE_DAYS} days and at most ${OCCURRED_AT_MAX_AHEAD_DAYS} day ahead of now (${new Date(now).toISOString()})`,
  };
}

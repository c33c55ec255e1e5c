import type { KnownKey } from "@riskq/alipay";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_INTERVAL_MS,
  nextKeyCheckAt,
  PUBLISH_AHEAD_MS,
  PUBLISH_LAG_MS,
  RETRY_MS,
  SWITCH_LAG_MS,
} from "../src/jobs/key-rotation-plan";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** 2026-11-25T18:30:00Z: the sandbox's daily rotation instant (02:30 Asia/Shanghai). */
const ROTATION = Date.UTC(2026, 10, 25, 18, 30);

function key(id: string, notBefore: number, lifetimeMs = DAY_MS): KnownKey {
  return { keyId: id, aesKey: "AAAAAAAAAAAAAAAAAAAAAA==", notBefore, expiresAt: notBefore + lifetimeMs };
}

const current = key("k-20261126-01", ROTATION);
const next = key("k-20261127-01", ROTATION + DAY_MS);
const expiry = current.expiresAt;

describe("nextKeyCheckAt", () => {
  it("margins: publication is 60 min ahead, checks lag by a minute, retries every 5 min", () => {
    expect(PUBLISH_AHEAD_MS).toBe(60 * MINUTE_MS);
    expect(PUBLISH_LAG_MS).toBe(MINUTE_MS);
    expect(SWITCH_LAG_MS).toBe(MINUTE_MS);
    expect(RETRY_MS).toBe(5 * MINUTE_MS);
  });

  it("successor unknown: checks when it gets listed, 59 min before the current key expires", () => {
    const now = ROTATION + 2 * HOUR_MS;
    expect(nextKeyCheckAt([current], now, { maxIntervalMs: DAY_MS })).toBe(expiry - 59 * MINUTE_MS);
  });

  it("successor known: checks a minute after its not_before, the switch", () => {
    const now = expiry - 50 * MINUTE_MS;
    expect(nextKeyCheckAt([next, current], now)).toBe(expiry + SWITCH_LAG_MS);
  });

  it("successor known later than the current key's end: still checks by the current key's expires_at", () => {
    const late = key("k-20261127-02", expiry + 2 * HOUR_MS);
    expect(nextKeyCheckAt([current, late], expiry - 30 * MINUTE_MS)).toBe(expiry + SWITCH_LAG_MS);
  });

  it("overdue (successor should be listed and is not): asks again 5 min from now, repeatedly", () => {
    const now = expiry - 40 * MINUTE_MS;
    expect(nextKeyCheckAt([current], now)).toBe(now + RETRY_MS);
    expect(nextKeyCheckAt([current], now + RETRY_MS)).toBe(now + 2 * RETRY_MS);
  });

  it("overdue close to expiry: the retry comes no later than just after the current key ends", () => {
    const now = expiry - 2 * MINUTE_MS;
    expect(nextKeyCheckAt([current], now)).toBe(expiry + SWITCH_LAG_MS);
  });

  it("no key in force (none known, or all expired): asks again 5 min from now", () => {
    expect(nextKeyCheckAt([], ROTATION)).toBe(ROTATION + RETRY_MS);
    expect(nextKeyCheckAt([current], expiry + MINUTE_MS)).toBe(expiry + MINUTE_MS + RETRY_MS);
  });

  it("inside the first minute of a key: plans its switch check rather than skipping it", () => {
    const now = next.notBefore + 10_000;
    expect(nextKeyCheckAt([current, next], now, { maxIntervalMs: 4 * MINUTE_MS })).toBe(
      next.notBefore + SWITCH_LAG_MS,
    );
  });

  it("never plans further than maxIntervalMs ahead (default 6 h), so a forced rotation is noticed", () => {
    const now = ROTATION + MINUTE_MS;
    expect(DEFAULT_MAX_INTERVAL_MS).toBe(6 * HOUR_MS);
    expect(nextKeyCheckAt([current], now)).toBe(now + DEFAULT_MAX_INTERVAL_MS);
    expect(nextKeyCheckAt([current], now, { maxIntervalMs: 4 * MINUTE_MS })).toBe(now + 4 * MINUTE_MS);
  });

  it("picks by instants, not by list position, and ignores expired predecessors", () => {
    const previous = key("k-20261125-01", ROTATION - DAY_MS);
    const now = expiry - 30 * MINUTE_MS;
    expect(nextKeyCheckAt([next, previous, current], now)).toBe(expiry + SWITCH_LAG_MS);
    expect(nextKeyCheckAt([current, previous, next], now)).toBe(expiry + SWITCH_LAG_MS);
  });

  it("over a 25-hour local day the plan is still 24 h of instants: one publication and one switch", () => {
    // 2026-11-01 is the fall-back day in America/New_York; instants ignore it by construction.
    const chain = [0, 1, 2].map((i) => key(`k-${i}`, Date.UTC(2026, 9, 31, 18, 30) + i * DAY_MS));
    const checks: number[] = [];
    let now = chain[0]!.notBefore + SWITCH_LAG_MS;
    const end = chain[2]!.notBefore + 2 * SWITCH_LAG_MS;
    while (now < end) {
      // The list as the remote shows it: the current key, plus the next one in its last hour.
      const listed = chain.filter((k) => k.notBefore <= now + PUBLISH_AHEAD_MS && now < k.expiresAt);
      now = nextKeyCheckAt(listed, now, { maxIntervalMs: DAY_MS });
      if (now < end) checks.push(now);
    }
    expect(checks.map((t) => new Date(t).toISOString())).toEqual([
      "2026-11-01T17:31:00.000Z",
      "2026-11-01T18:31:00.000Z",
      "2026-11-02T17:31:00.000Z",
      "2026-11-02T18:31:00.000Z",
    ]);
  });
});

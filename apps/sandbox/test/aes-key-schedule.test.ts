import { describe, expect, it } from "vitest";
import { AesKeySchedule } from "../src/aes-key-schedule";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const schedule = () => new AesKeySchedule({ seed: 1, lifetimeMs: DAY, graceMs: 5 * 60_000 });

describe("AES key schedule (docs/alipay-ai-api.md §4)", () => {
  it("rotates daily at 18:30 UTC with ids carrying the Shanghai date", () => {
    const key = schedule().keyAt(Date.parse("2026-11-26T08:00:00Z"));
    expect(new Date(key.notBefore).toISOString()).toBe("2026-11-25T18:30:00.000Z");
    expect(new Date(key.expiresAt).toISOString()).toBe("2026-11-26T18:30:00.000Z");
    expect(key.keyId).toBe("k-20261126-01");
    expect(Buffer.from(key.aesKey, "base64")).toHaveLength(16);
  });

  it("forms a contiguous chain anywhere in time, far ahead included", () => {
    const s = schedule();
    for (const t of [Date.parse("2026-11-26T00:00:00Z"), Date.parse("2031-03-30T01:59:00Z")]) {
      const key = s.keyAt(t);
      const next = s.keyAt(key.expiresAt);
      expect(next.notBefore).toBe(key.expiresAt);
      expect(s.keyAt(key.notBefore - 1).expiresAt).toBe(key.notBefore);
      expect(next.aesKey).not.toBe(key.aesKey);
    }
  });

  it("lists the next key only in the hour before its not_before", () => {
    const s = schedule();
    const rotation = Date.parse("2026-11-26T18:30:00Z");
    expect(s.listedAt(rotation - HOUR - 1)).toHaveLength(1);
    const listed = s.listedAt(rotation - HOUR + 1);
    expect(listed.map((k) => k.notBefore).sort()).toEqual([rotation - DAY, rotation]);
  });

  it("accepts the previous key during the grace only", () => {
    const s = schedule();
    const rotation = Date.parse("2026-11-26T18:30:00Z");
    const previous = s.keyAt(rotation - 1);
    expect(s.acceptedAt(rotation + 4 * 60_000).map((k) => k.keyId)).toContain(previous.keyId);
    expect(s.acceptedAt(rotation + 5 * 60_000).map((k) => k.keyId)).not.toContain(previous.keyId);
    expect(s.acceptedAt(rotation - 1).map((k) => k.notBefore)).not.toContain(rotation);
  });

  it("continues the schedule from a forced key and gives it its own id", () => {
    const s = schedule();
    const forcedAt = Date.parse("2026-11-26T10:00:00Z");
    const before = s.keyAt(forcedAt - 1);
    s.rotate(forcedAt);
    const forced = s.keyAt(forcedAt);
    expect(forced.notBefore).toBe(forcedAt);
    expect(forced.expiresAt).toBe(forcedAt + DAY);
    expect(s.keyAt(forcedAt - 1).expiresAt).toBe(forcedAt);
    expect(s.keyAt(forced.expiresAt).notBefore).toBe(forced.expiresAt);
    expect(forced.keyId).toBe("k-20261126-12");
    // The key the rotation cancelled (k-20261127-01) and the forced key's successor differ in id.
    expect(s.keyAt(forced.expiresAt).keyId).toBe("k-20261127-11");
    expect(s.keyAt(forcedAt - 1).aesKey).toBe(before.aesKey);
  });

  it("is a pure function of seed, forced rotations and instant", () => {
    const t = Date.parse("2027-06-01T12:00:00Z");
    expect(schedule().keyAt(t)).toEqual(schedule().keyAt(t));
    expect(new AesKeySchedule({ seed: 2, lifetimeMs: DAY, graceMs: 0 }).keyAt(t).aesKey).not.toBe(
      schedule().keyAt(t).aesKey,
    );
  });
});

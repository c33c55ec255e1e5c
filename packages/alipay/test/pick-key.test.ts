import { describe, expect, it } from "vitest";
import { type KnownKey, pickKey } from "../src/index";

const T = Date.UTC(2026, 10, 26, 18, 30); // a rotation instant
const DAY = 86_400_000;
const old: KnownKey = { keyId: "k-20261126-01", aesKey: "old", notBefore: T - DAY, expiresAt: T };
const next: KnownKey = { keyId: "k-20261127-01", aesKey: "new", notBefore: T, expiresAt: T + DAY };

describe("pickKey", () => {
  it("keeps the old key until the new one has been in force for 30 s, in either list order", () => {
    for (const keys of [
      [old, next],
      [next, old],
    ]) {
      expect(pickKey(keys, T - 1)?.keyId).toBe(old.keyId);
      expect(pickKey(keys, T + 29_999)?.keyId).toBe(old.keyId);
      expect(pickKey(keys, T + 30_000)?.keyId).toBe(next.keyId);
    }
  });

  it("never picks a key before its not_before", () => {
    expect(pickKey([next], T - 1)).toBeUndefined();
    expect(pickKey([old, next], T - 60 * 60_000)?.keyId).toBe(old.keyId);
  });

  it("uses a new key at once when nothing else is usable", () => {
    expect(pickKey([next], T + 1)?.keyId).toBe(next.keyId);
  });

  it("uses an expired key for at most 60 s past its expiry", () => {
    expect(pickKey([old], T + 59_999)?.keyId).toBe(old.keyId);
    expect(pickKey([old], T + 60_000)).toBeUndefined();
  });
});

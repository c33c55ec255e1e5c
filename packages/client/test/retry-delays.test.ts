import { describe, expect, it } from "vitest";
import { fullJitterDelay, parseRetryAfter, retryAfterDelay } from "../src/retry-delays";

const retries = { attempts: 4, baseMs: 200, capMs: 5_000 };

describe("fullJitterDelay", () => {
  it("draws from [0, baseMs·2^retry), doubling per retry", () => {
    expect([0, 1, 2, 3].map((n) => fullJitterDelay(n, retries, () => 0.999))).toEqual([199, 399, 799, 1598]);
    expect(fullJitterDelay(3, retries, () => 0)).toBe(0);
  });

  it("never exceeds capMs however many retries", () => {
    expect(fullJitterDelay(30, retries, () => 0.999)).toBe(4_995);
  });
});

describe("retryAfterDelay", () => {
  it("waits at least the server's Retry-After, plus under baseMs of jitter", () => {
    expect(retryAfterDelay(2, retries, () => 0)).toBe(2_000);
    expect(retryAfterDelay(2, retries, () => 0.999)).toBe(2_199);
  });

  it("is capped at capMs", () => {
    expect(retryAfterDelay(3_600, retries, () => 0.5)).toBe(5_000);
    expect(retryAfterDelay(4.9, retries, () => 0.999)).toBe(5_000);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    const now = Date.parse("2025-03-01T10:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter("Sat, 01 Mar 2025 10:00:03 GMT", now)).toBe(3);
    expect(parseRetryAfter("Sat, 01 Mar 2025 09:00:00 GMT", now)).toBe(0);
  });

  it("is undefined when absent or unreadable", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

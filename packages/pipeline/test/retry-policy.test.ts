import {
  AuthRevoked,
  BatchTruncated,
  InvalidRequest,
  KeyRejected,
  ModelUnknown,
  RateLimited,
  ResponseInvalid,
  SilentDrop,
  Timeout,
  UpstreamError,
} from "@riskq/alipay";
import { describe, expect, it } from "vitest";
import { CircuitOpenError } from "../src/breaker/circuit-open-error";
import { backoffMs } from "../src/retry/backoff";
import { decideRetry } from "../src/retry/decide-retry";

const almostOne = () => 0.999_999;
const zero = () => 0;

describe("backoffMs (full jitter)", () => {
  it("doubles the ceiling per attempt from baseMs", () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, { baseMs: 500 }, almostOne))).toEqual([499, 999, 1999, 3999]);
  });

  it("never exceeds capMs", () => {
    expect(backoffMs(30, { baseMs: 500, capMs: 60_000 }, almostOne)).toBe(59_999);
    expect(backoffMs(5_000, { baseMs: 500, capMs: 60_000 }, almostOne)).toBe(59_999);
  });

  it("spreads over the whole range [0, ceiling), using the given random source", () => {
    expect(backoffMs(3, {}, zero)).toBe(0);
    expect(backoffMs(3, {}, () => 0.5)).toBe(1_000);
    for (let i = 0; i < 1_000; i++) {
      const delay = backoffMs(4);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(4_000);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it("treats attempts below 1 as the first", () => {
    expect(backoffMs(0, { baseMs: 500 }, almostOne)).toBe(499);
  });
});

describe("decideRetry", () => {
  it.each([
    ["InvalidRequest", new InvalidRequest("invalid-parameter", "items[0].amount"), "invalid_payload"],
    ["ResponseInvalid", new ResponseInvalid("bad signature"), "response_invalid"],
    ["AuthRevoked", new AuthRevoked("m1", "invalid-refresh-token"), "auth_revoked"],
    ["ModelUnknown", new ModelUnknown("risk-2023-01"), "model_retired"],
    ["KeyRejected", new KeyRejected("invalid-signature"), "key_rejected"],
  ])("%s → dead at once with its reason", (_name, error, reason) => {
    expect(decideRetry(error, 0)).toEqual({ kind: "dead", reason });
  });

  it.each([
    ["UpstreamError", new UpstreamError("HTTP 503"), "upstream_error"],
    ["Timeout", new Timeout("batch predict", 2_000), "timeout"],
    ["SilentDrop", new SilentDrop(["i1"]), "silent_drop"],
    ["a non-client error", new TypeError("fetch failed"), "upstream_error"],
  ])(
    "%s → retry with backoff, spending attempts, dead as %s once they are exhausted",
    (_name, error, reason) => {
      expect(decideRetry(error, 0, { random: almostOne })).toEqual({
        kind: "retry",
        delayMs: 499,
        consumesAttempt: true,
      });
      expect(decideRetry(error, 3, { random: almostOne })).toEqual({
        kind: "retry",
        delayMs: 3_999,
        consumesAttempt: true,
      });
      expect(decideRetry(error, 6, { maxAttempts: 8 }).kind).toBe("retry");
      expect(decideRetry(error, 7, { maxAttempts: 8 })).toEqual({ kind: "dead", reason });
      expect(decideRetry(error, 1, { maxAttempts: 2 })).toEqual({ kind: "dead", reason });
    },
  );

  it("caps the retry delay", () => {
    const decision = decideRetry(new UpstreamError("HTTP 502"), 20, {
      maxAttempts: 100,
      capMs: 30_000,
      random: almostOne,
    });
    expect(decision).toEqual({ kind: "retry", delayMs: 29_999, consumesAttempt: true });
  });

  it("BatchTruncated → retry at once without spending an attempt, even on the last one", () => {
    const error = new BatchTruncated(50, ["i51"]);
    expect(decideRetry(error, 0)).toEqual({ kind: "retry", delayMs: 0, consumesAttempt: false });
    expect(decideRetry(error, 7, { maxAttempts: 8 })).toEqual({
      kind: "retry",
      delayMs: 0,
      consumesAttempt: false,
    });
  });

  it("RateLimited → a jittered wait that spends no attempt, whatever the attempt count", () => {
    const error = new RateLimited("method");
    expect(decideRetry(error, 7, { rateLimitWaitMs: 1_000, random: zero })).toEqual({
      kind: "wait",
      delayMs: 500,
    });
    expect(decideRetry(error, 7, { rateLimitWaitMs: 1_000, random: almostOne })).toEqual({
      kind: "wait",
      delayMs: 1_499,
    });
  });

  it("RateLimited → dead as rate_limited once the job has waited maxWaitMs", () => {
    const error = new RateLimited("app");
    expect(decideRetry(error, 0, { waitedMs: 3_599_999 }).kind).toBe("wait");
    expect(decideRetry(error, 0, { waitedMs: 3_600_000 })).toEqual({ kind: "dead", reason: "rate_limited" });
    expect(decideRetry(error, 0, { waitedMs: 10, maxWaitMs: 10 })).toEqual({
      kind: "dead",
      reason: "rate_limited",
    });
  });

  it("an open circuit → wait until it lets calls through, plus jitter, spending no attempt", () => {
    const now = 1_700_000_000_000;
    const error = new CircuitOpenError(now + 8_000, now);
    expect(decideRetry(error, 7, { random: zero })).toEqual({ kind: "wait", delayMs: 8_000 });
    expect(decideRetry(error, 7, { openCircuitJitterMs: 2_000, random: almostOne })).toEqual({
      kind: "wait",
      delayMs: 9_999,
    });
    expect(decideRetry(error, 0, { waitedMs: 3_600_000 })).toEqual({
      kind: "dead",
      reason: "upstream_error",
    });
  });
});

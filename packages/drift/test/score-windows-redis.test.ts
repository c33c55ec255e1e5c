import { useTestRedis } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import {
  readRecentWindows,
  readWindow,
  recordScores,
  summarize,
  windowKey,
  windowOf,
  windowStartOf,
} from "../src/index";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const WINDOW_MS = 60_000;
/** A fixed, window-aligned instant: the caller's clock, not Redis's, picks windows. */
const T0 = Date.parse("2026-11-20T06:00:00Z");

function series() {
  return {
    prefix: suite.redis.prefix,
    modelVersion: "risk-v3-2026-11",
    task: "card_risk",
    windowMs: WINDOW_MS,
  };
}

describe("score windows in Redis", () => {
  it("round-trips a window: one hash field per rounded value, counts added across calls", async () => {
    const { redis } = suite.redis;
    const first = [0.1234, 0.12341, 0.5, 0.9999, 1, 0];
    const second = [0.5, 0.5, 0.7];
    const { key, windowStart } = await recordScores(redis, { ...series(), now: T0 + 1_000 }, first);
    await recordScores(redis, { ...series(), now: T0 + 59_999 }, second);

    expect(windowStart).toBe(T0);
    expect(key).toBe(`${suite.redis.prefix}:drift:risk-v3-2026-11:card_risk:${T0}`);
    expect(await redis.hgetall(key)).toEqual({
      "0": "1",
      "1234": "2",
      "5000": "3",
      "7000": "1",
      "9999": "1",
      "10000": "1",
    });
    const stored = await readWindow(redis, key);
    expect(summarize(stored)).toEqual(summarize(windowOf([...first, ...second])));
  });

  it("expires a window a set number of windows after it closes, measured from the caller's clock", async () => {
    const { redis } = suite.redis;
    const { key } = await recordScores(redis, { ...series(), now: T0 + 20_000, ttlWindows: 3 }, [0.2]);
    const ttl = await redis.pttl(key);
    // Window end (T0 + 60 s) + 3 windows − now (T0 + 20 s) = 220 s.
    expect(ttl).toBeGreaterThan(215_000);
    expect(ttl).toBeLessThanOrEqual(220_000);
  });

  it("reads recent windows newest first, with an empty window where no score arrived", async () => {
    const { redis } = suite.redis;
    await recordScores(redis, { ...series(), now: T0 }, [0.1, 0.2]);
    // Nothing in T0 + 1 window; T0 + 2 windows holds one score.
    await recordScores(redis, { ...series(), now: T0 + 2 * WINDOW_MS + 5 }, [0.3]);
    // Another task and another model never mix in.
    await recordScores(redis, { ...series(), task: "account_takeover", now: T0 }, [0.9]);
    await recordScores(redis, { ...series(), modelVersion: "risk-v3-2026-10", now: T0 }, [0.9]);

    const windows = await readRecentWindows(redis, {
      ...series(),
      now: T0 + 2 * WINDOW_MS + 30_000,
      count: 4,
    });
    expect(windows.map((w) => w.windowStart)).toEqual([
      T0 + 2 * WINDOW_MS,
      T0 + WINDOW_MS,
      T0,
      T0 - WINDOW_MS,
    ]);
    expect(windows.map((w) => Object.fromEntries(w.window))).toEqual([
      { 3000: 1 },
      {},
      { 1000: 1, 2000: 1 },
      {},
    ]);
    // Every key of the series carries the caller's hash tag, so they share one cluster slot.
    for (const w of windows) expect(w.key.startsWith(`${suite.redis.prefix}:drift:`)).toBe(true);
  });

  it("writes nothing for an empty batch and refuses ambiguous key parts", async () => {
    const { redis } = suite.redis;
    const { key } = await recordScores(redis, { ...series(), now: T0 }, []);
    expect(await redis.exists(key)).toBe(0);
    expect(() => windowKey({ ...series(), task: "a:b" }, T0)).toThrow(RangeError);
    await expect(recordScores(redis, { ...series(), now: T0 }, [1.5])).rejects.toThrow(RangeError);
    expect(await redis.exists(key)).toBe(0);
    expect(windowStartOf(T0 + WINDOW_MS - 1, WINDOW_MS)).toBe(T0);
  });

  it("refuses to read a hash that is not a score window", async () => {
    const { redis } = suite.redis;
    const key = windowKey(series(), T0);
    await redis.hset(key, "not-a-bucket", "3");
    await expect(readWindow(redis, key)).rejects.toThrow(/not a score window/);
  });
});

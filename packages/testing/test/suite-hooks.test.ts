import { describe, expect, it } from "vitest";
import { useSandbox, useTestRedis } from "../src/suite-hooks";

/** What reading a fixture threw, captured while the file is collected (outside any test). */
function errorOf(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("useSandbox", () => {
  const suite = useSandbox();
  const beforeStart = errorOf(() => suite.sandbox);
  let firstUrl = "";

  it("refuses to hand out the sandbox outside a test", () => {
    expect(String(beforeStart)).toMatch(/useSandbox\(\): used outside a test/);
  });

  it("hands a running sandbox to the test", async () => {
    firstUrl = suite.sandbox.url;
    await suite.sandbox.control.advanceClock(60_000);
    expect((await suite.sandbox.control.state()).clock.offset_ms).toBe(60_000);
  });

  it("keeps the same process for the next test, reset to the start state", async () => {
    expect(suite.sandbox.url).toBe(firstUrl);
    expect((await suite.sandbox.control.state()).clock.offset_ms).toBe(0);
  });
});

describe("useTestRedis", () => {
  const suite = useTestRedis({ url: process.env.REDIS_URL });
  const beforeTest = errorOf(() => suite.redis);
  let firstKey = "";

  it("refuses to hand out the prefix outside a test", () => {
    expect(String(beforeTest)).toMatch(/useTestRedis\(\): used outside a test/);
  });

  it("hands each test a connected prefix", async () => {
    firstKey = suite.redis.key("left-behind");
    await suite.redis.redis.set(firstKey, "1");
    expect(await suite.redis.redis.get(firstKey)).toBe("1");
  });

  it("gives the next test a new prefix and has cleaned up the previous one", async () => {
    expect(firstKey.startsWith(suite.redis.prefix)).toBe(false);
    expect(await suite.redis.redis.exists(firstKey)).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { isRedisUnavailable } from "../src/http/redis-unavailable";

/** An error shaped as ioredis makes it (class name, message, code), without a live Redis. */
const ioredisError = (name: string, message: string, code?: string) =>
  Object.assign(new Error(message), { name, ...(code ? { code } : {}) });

describe("isRedisUnavailable", () => {
  it("knows a command whose connection closed under it (Redis restarting mid-request): 503, not 500", () => {
    // ioredis rejects the rest of a pipeline or MULTI (BullMQ's addBulk) this way when Redis goes away.
    expect(isRedisUnavailable(ioredisError("AbortError", "Command aborted due to connection close"))).toBe(
      true,
    );
  });

  it("knows the other ways Redis is away, and leaves other errors alone", () => {
    expect(isRedisUnavailable(ioredisError("Error", "Connection is closed."))).toBe(true);
    expect(
      isRedisUnavailable(ioredisError("Error", "connect ECONNREFUSED 127.0.0.1:6379", "ECONNREFUSED")),
    ).toBe(true);
    expect(
      isRedisUnavailable(
        ioredisError("MaxRetriesPerRequestError", "Reached the max retries per request limit"),
      ),
    ).toBe(true);
    expect(
      isRedisUnavailable(ioredisError("ReplyError", "LOADING Redis is loading the dataset in memory")),
    ).toBe(true);
    expect(isRedisUnavailable(ioredisError("ReplyError", "ERR wrong number of arguments"))).toBe(false);
    expect(isRedisUnavailable(new TypeError("cannot read properties of undefined"))).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { parseRedisUrl } from "../src/redis-url";

describe("REDIS_URL", () => {
  it("passes a single server's URL through to ioredis", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6379")).toEqual({
      kind: "single",
      url: "redis://127.0.0.1:6379",
    });
    expect(parseRedisUrl("rediss://:secret@redis.example:6380/2")).toEqual({
      kind: "single",
      url: "rediss://:secret@redis.example:6380/2",
    });
  });

  it("reads a cluster's seed nodes, credentials and TLS", () => {
    expect(parseRedisUrl("redis-cluster://127.0.0.1:7000,127.0.0.1:7001")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "127.0.0.1", port: 7000 },
        { host: "127.0.0.1", port: 7001 },
      ],
      tls: false,
    });
    expect(parseRedisUrl("rediss-cluster://app:p%40ss@[::1]:7000")).toEqual({
      kind: "cluster",
      nodes: [{ host: "::1", port: 7000 }],
      username: "app",
      password: "p@ss",
      tls: true,
    });
  });

  it("refuses what it cannot read, saying what is expected", () => {
    expect(() => parseRedisUrl("localhost:6379")).toThrow(/starts with redis:\/\//);
    expect(() => parseRedisUrl("redis-cluster://127.0.0.1")).toThrow(/host:port/);
  });
});

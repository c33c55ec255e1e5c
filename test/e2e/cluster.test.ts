/**
 * riskq on a Redis Cluster (three masters on loopback ports): the API and two workers get
 * `REDIS_URL=redis-cluster://…`; every job is scored, and the stack's keys — queues and riskq's own
 * (limiter, tokens, keys, batch exchange, drift windows) — sit in the one slot of the prefix's hash tag.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRedisCluster, startRedisCluster } from "./support/redis-cluster";
import { chunks, scoreRequests, testMerchants } from "./support/score-traffic";
import { waitUntilSettled } from "./support/settle";
import { type Stack, startStack } from "./support/stack";

let cluster: LocalRedisCluster;
let stack: Stack;

beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startStack({
    workers: 2,
    redisUrl: cluster.url,
    workerEnv: { WORKER_METRICS_PORT: "0" },
    sandbox: { latencyProfile: "fast", seed: 91 },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
});

describe("Redis Cluster", () => {
  it("scores every job through the API with two workers, all keys in the prefix's slot", async () => {
    const merchants = testMerchants(91, 4);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    const requests = scoreRequests({ seed: 92, merchants, count: 600 });
    const ids: string[] = [];
    for (const part of chunks(requests, 200))
      ids.push(...(await stack.api.enqueueBatch(part)).map((j) => j.id));

    const counts = await waitUntilSettled(stack.scoreQueue, stack.deadQueue, ids.length, {
      timeoutMs: 60_000,
    });
    expect(counts.completed).toBe(ids.length);
    expect(counts.failed).toBe(0);

    // Every key the stack wrote is on one master, in one slot: the hash tag did its job.
    const redis = stack.testRedis.redis;
    const slot = await redis.cluster("KEYSLOT", `${stack.prefix}:score:meta`);
    let keys = 0;
    for (const port of cluster.ports) {
      const { Redis } = await import("ioredis");
      const node = new Redis(port, "127.0.0.1", { lazyConnect: true });
      await node.connect();
      const found = await node.keys(`${stack.prefix}*`);
      for (const key of found.slice(0, 50)) expect(await node.cluster("KEYSLOT", key)).toBe(slot);
      keys += found.length;
      node.disconnect();
    }
    // Queues, limiter, tokens, AES keys, exchange and drift windows: many keys, one slot.
    expect(keys).toBeGreaterThan(20);
  });
});

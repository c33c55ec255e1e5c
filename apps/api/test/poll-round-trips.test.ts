/**
 * A waiter's Redis traffic must not grow with its batch: every command the API sends under this
 * test's prefix is counted with MONITOR (commands run inside Lua scripts are left out — they are not
 * round trips), for a 10-item and a 1 000-item wait of the same length. Reading jobs one by one per
 * poll, as the API once did, costs ~2 000 commands per poll for 1 000 items and fails this at once.
 */
import { useTestRedis } from "@riskq/testing/vitest";
import { Redis } from "ioredis";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type ApiKit, AUTH, MERCHANT_ID, scoreBody, startApi } from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;
let monitor: Redis | undefined;

beforeEach(async () => {
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
});
afterEach(async () => {
  monitor?.disconnect();
  monitor = undefined;
  await kit.close();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/** Commands (outside Lua) naming this test's prefix, and those naming the first job's hash. */
async function startCounting() {
  monitor = await new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379").monitor();
  const firstJobKey = `${kit.prefix}:score:${MERCHANT_ID}-n0-0`;
  const counts = { all: 0, firstJob: 0 };
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === "lua" || !args.some((arg) => arg.includes(kit.prefix))) return;
    counts.all += 1;
    if (args.includes(firstJobKey)) counts.firstJob += 1;
  });
  await settle();
  return counts;
}

/** Commands of a `wait_ms=1500` batch of `n` already enqueued items (no worker: nothing finishes). */
async function waitingRequest(counts: { all: number; firstJob: number }, tag: string, n: number) {
  const items = Array.from({ length: n }, (_, i) => scoreBody(`${tag}-${i}`, { deadline_ms: 60_000 }));
  const post = (url: string) => kit.app.inject({ method: "POST", url, headers: AUTH, payload: { items } });
  expect((await post("/v1/scores/batch")).statusCode).toBe(202);
  await settle();
  counts.all = 0;
  counts.firstJob = 0;
  const res = await post("/v1/scores/batch?wait_ms=1500");
  await settle();
  expect(res.statusCode).toBe(202);
  return { ...counts };
}

it("costs one round trip per poll whatever the batch size", async () => {
  const counts = await startCounting();
  const small = await waitingRequest(counts, "n0", 10);
  const large = await waitingRequest(counts, "n1", 1_000);

  // Enqueuing costs one command per item (the add, within one MULTI); the read-back and each
  // poll one command for the whole batch. So the 1 000-item wait may cost 990 more adds, no more.
  expect(small.firstJob).toBeGreaterThanOrEqual(4); // read back, then polled several times
  expect(large.all - small.all).toBeLessThanOrEqual(990 + 20);
});

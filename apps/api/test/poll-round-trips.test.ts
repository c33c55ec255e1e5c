/**
 * A waiter's Redis traffic must not grow with its batch: every command the API sends under this
 * test's prefix is counted with MONITOR (commands run inside Lua scripts are left out — they are not
 * round trips), for a 10-item and a 1 000-item wait of the same length. Reading jobs one by one per
 * poll, as the API once did, costs ~2 000 commands per poll for 1 000 items and fails this at once.
 */
import type { Socket } from "node:net";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type ApiKit, AUTH, MERCHANT_ID, scoreBody, startApi } from "./support/api-harness";
import { watchCommands } from "./support/redis-monitor";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;
let monitor: Socket | undefined;

beforeEach(async () => {
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
});
afterEach(async () => {
  monitor?.destroy();
  monitor = undefined;
  await kit.close();
});

/** What `app.inject` answers. */
type InjectAnswer = Awaited<ReturnType<ApiKit["app"]["inject"]>>;

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/** Commands naming this test's prefix, and those naming the first job's hash. */
async function startCounting() {
  const firstJobKey = `"${kit.prefix}:score:${MERCHANT_ID}-n0-0"`;
  const counts = { all: 0, firstJob: 0 };
  monitor = await watchCommands(kit.prefix, (line) => {
    // The process's one event subscription (its XREAD, waking every waiter) is not a
    // waiter's cost: it reads the same whether one caller waits or a thousand.
    if (/^\+\S+ \[[^\]]*\] "xread"/i.test(line)) return;
    counts.all += 1;
    if (line.includes(firstJobKey)) counts.firstJob += 1;
  });
  return counts;
}

/**
 * Sends until the answer is not 503: on a loaded shared Redis a 1 000-item add under MONITOR can
 * outlast the API's 1-s command timeout; only an answered request is measured.
 */
async function answered(send: () => Promise<InjectAnswer>, before: () => void = () => {}) {
  for (let attempt = 1; ; attempt++) {
    before();
    const res = await send();
    if (res.statusCode !== 503 || attempt === 3) return res;
    await settle();
  }
}

/** Commands of a `wait_ms=1500` batch of `n` already enqueued items (no worker: nothing finishes). */
async function waitingRequest(counts: { all: number; firstJob: number }, tag: string, n: number) {
  const items = Array.from({ length: n }, (_, i) => scoreBody(`${tag}-${i}`, { deadline_ms: 60_000 }));
  const post = (url: string) => kit.app.inject({ method: "POST", url, headers: AUTH, payload: { items } });
  expect((await answered(() => post("/v1/scores/batch"))).statusCode).toBe(202);
  await settle();
  const reset = () => {
    counts.all = 0;
    counts.firstJob = 0;
  };
  const res = await answered(() => post("/v1/scores/batch?wait_ms=1500"), reset);
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

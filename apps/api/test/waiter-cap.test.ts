/** RISKQ_MAX_WAITING_JOBS: waits past the cap get 429, and every finished request gives its places back. */
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { waiterCap } from "../src/scores/waiter-cap";
import {
  type ApiKit,
  AUTH,
  countJobs,
  eventually,
  MERCHANT_ID,
  scoreBody,
  startApi,
} from "./support/api-harness";
import { type PrivateRedis, startPrivateRedis } from "./support/private-redis";

let kit: ApiKit | undefined;
let privateRedis: PrivateRedis | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
  await privateRedis?.kill();
  privateRedis = undefined;
});

const batch = (tag: string, n: number) => ({
  items: Array.from({ length: n }, (_, i) => scoreBody(`${tag}-${i}`, { deadline_ms: 60_000 })),
});
const postBatch = (url: string, body: unknown) =>
  kit!.app.inject({ method: "POST", url, headers: AUTH, payload: body as object });

describe("the waiter cap", () => {
  const suite = useTestRedis({ url: process.env.REDIS_URL });

  it("answers 429 with Retry-After past the cap, enqueuing nothing, and frees an aborted wait's places", async () => {
    kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, maxWaitingJobs: 5 });
    const base = await kit.app.listen({ port: 0, host: "127.0.0.1" });
    // A caller waiting on 3 jobs that will not finish for a minute, over a real connection.
    const caller = new AbortController();
    const held = fetch(`${base}/v1/scores/batch?wait_ms=10000`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify(batch("held", 3)),
      signal: caller.signal,
    }).catch((err: unknown) => err);
    await eventually(async () =>
      (await kit!.scoreQueue.getJob(`${MERCHANT_ID}-held-2`)) ? true : undefined,
    );

    const refused = await postBatch("/v1/scores/batch?wait_ms=10000", batch("more", 3));
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({
      error: "too_many_waiters",
      retry_after_s: Number(refused.headers["retry-after"]),
    });
    expect(refused.json().message).toMatch(/without wait_ms.*GET \/v1\/scores\/\{id\}/);
    expect(await countJobs(kit.scoreQueue)).toBe(3);
    // Without wait_ms nothing is held: the cap does not apply.
    expect((await postBatch("/v1/scores/batch", batch("more", 3))).statusCode).toBe(202);
    // Within the cap: 2 more fit beside the 3 held.
    expect((await postBatch("/v1/scores/batch?wait_ms=50", batch("fits", 2))).statusCode).toBe(202);

    const abortedAt = performance.now();
    caller.abort();
    expect(await held).toBeInstanceOf(Error);
    // The aborted wait gives its places back at once, not when its 10 s would have run out.
    await eventually(async () => {
      const res = await postBatch("/v1/scores/batch?wait_ms=50", batch("all", 5));
      return res.statusCode === 429 ? undefined : res.statusCode;
    }, 50);
    expect(performance.now() - abortedAt).toBeLessThan(5_000);
  });

  it("refuses a batch larger than the cap, and takes nothing for it", async () => {
    kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, maxWaitingJobs: 5 });
    expect((await postBatch("/v1/scores/batch?wait_ms=50", batch("big", 6))).statusCode).toBe(429);
    expect(await countJobs(kit.scoreQueue)).toBe(0);
    expect((await postBatch("/v1/scores/batch?wait_ms=50", batch("five", 5))).statusCode).toBe(202);
  });
});

it("gives the places of a wait that failed (Redis hung mid-wait: 503) back", async () => {
  privateRedis = await startPrivateRedis();
  kit = await startApi({ redisUrl: privateRedis.url, prefix: "{api-cap}", maxWaitingJobs: 2 });
  const pending = postBatch("/v1/scores/batch?wait_ms=10000", batch("hung", 2));
  await eventually(async () => ((await kit!.scoreQueue.getJob(`${MERCHANT_ID}-hung-1`)) ? true : undefined));
  privateRedis.pause();
  try {
    const failed = await pending;
    expect(failed.statusCode).toBe(503);
  } finally {
    privateRedis.resume();
  }
  // Once Redis answers again, the full cap is free.
  const status = await eventually(async () => {
    const res = await postBatch("/v1/scores/batch?wait_ms=50", batch("after", 2));
    return res.statusCode === 503 ? undefined : res.statusCode;
  }, 100);
  expect(status).toBe(202);
});

describe("waiterCap", () => {
  it("counts a pass given back twice once", () => {
    const cap = waiterCap(10);
    const pass = cap.admit(4);
    cap.admit(3);
    pass.release();
    pass.release();
    expect(cap.waiting).toBe(3);
    expect(() => cap.admit(8)).toThrow(/limit 10/);
    expect(cap.waiting).toBe(3);
  });
});

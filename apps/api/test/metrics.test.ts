import { parseExposition, sampleValue } from "@riskq/metrics";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API_KEY,
  type ApiKit,
  AUTH,
  eventually,
  MERCHANT_ID,
  scoreBody,
  startApi,
  startKillingWorker,
} from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;

beforeEach(async () => {
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, metrics: true });
});
afterEach(() => kit.close());

const enqueue = (itemId: string) =>
  kit.app.inject({ method: "POST", url: "/v1/scores", headers: AUTH, payload: scoreBody(itemId) });

describe("GET /metrics", () => {
  it("shows the queues by state and the dead letters by reason, without authentication", async () => {
    // Three jobs die (two timeouts, one invalid payload), then three more wait with no worker.
    const reasons = { "m-1": "timeout", "m-2": "timeout", "m-3": "invalid_payload" } as const;
    const killer = startKillingWorker(kit, (itemId) => reasons[itemId as keyof typeof reasons]);
    for (const itemId of Object.keys(reasons)) expect((await enqueue(itemId)).statusCode).toBe(202);
    for (const itemId of Object.keys(reasons))
      await eventually(() => kit.deadLetters.get(`${MERCHANT_ID}-${itemId}`));
    await killer.close();
    for (const itemId of ["w-1", "w-2", "w-3"]) expect((await enqueue(itemId)).statusCode).toBe(202);
    await kit.maintenanceQueue.add("token-refresh", {}, { delay: 60_000 });

    const res = await kit.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(res.body);
    const jobs = (queue: string, state: string) => sampleValue(samples, "riskq_queue_jobs", { queue, state });
    expect(jobs("score", "waiting")).toBe(3);
    expect(jobs("score", "failed")).toBe(3);
    expect(jobs("score", "active")).toBe(0);
    expect(jobs("score-dead", "waiting")).toBe(3);
    expect(jobs("maintenance", "delayed")).toBe(1);
    expect(sampleValue(samples, "riskq_dead_letters", { reason: "timeout" })).toBe(2);
    expect(sampleValue(samples, "riskq_dead_letters", { reason: "invalid_payload" })).toBe(1);
    // Every reason is there, at 0 when nothing died of it: alert rules need no absent().
    expect(sampleValue(samples, "riskq_dead_letters", { reason: "silent_drop" })).toBe(0);
    // No read failed (a failure would show from the next scrape on).
    const again = parseExposition((await kit.app.inject({ method: "GET", url: "/metrics" })).body);
    expect(sampleValue(again, "riskq_metrics_collect_errors_total")).toBeUndefined();
    // Labels say what and why, never whose: no merchant, item or key shows.
    expect(res.body).not.toContain(MERCHANT_ID);
    expect(res.body).not.toContain("m-1");
    expect(res.body).not.toContain(API_KEY);
  });

  it("follows the dead letters as they are purged", async () => {
    const killer = startKillingWorker(kit, () => "silent_drop");
    for (const itemId of ["p-1", "p-2"]) await enqueue(itemId);
    for (const itemId of ["p-1", "p-2"])
      await eventually(() => kit.deadLetters.get(`${MERCHANT_ID}-${itemId}`));
    await killer.close();
    const dropped = async () =>
      sampleValue(
        parseExposition((await kit.app.inject({ method: "GET", url: "/metrics" })).body),
        "riskq_dead_letters",
        {
          reason: "silent_drop",
        },
      );
    expect(await dropped()).toBe(2);
    await kit.deadLetters.purge([`${MERCHANT_ID}-p-1`]);
    expect(await dropped()).toBe(1);
  });
});

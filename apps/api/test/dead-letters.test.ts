import { createHash } from "node:crypto";
import type { DeadLetterReason } from "@riskq/contracts";
import { createLogger } from "@riskq/observability";
import { useTestRedis } from "@riskq/testing/vitest";
import type { Worker } from "bullmq";
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
let worker: Worker | undefined;
let logLines: string[] = [];

beforeEach(async () => {
  logLines = [];
  const logger = createLogger({
    name: "api",
    level: "info",
    destination: { write: (l: string) => logLines.push(l) },
  });
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, logger });
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await kit.close();
});

const get = (url: string) => kit.app.inject({ method: "GET", url, headers: AUTH });
const post = (url: string, body: object) =>
  kit.app.inject({ method: "POST", url, headers: AUTH, payload: body });
const del = (url: string, body: object) =>
  kit.app.inject({ method: "DELETE", url, headers: AUTH, payload: body });

/**
 * Kills the given items as apps/worker would: an UnrecoverableError naming the reason, then the
 * dead letter. The worker closes before returning, so redriven jobs stay queued.
 */
async function killJobs(reasons: Record<string, DeadLetterReason>): Promise<void> {
  worker = startKillingWorker(kit, (itemId) => reasons[itemId]!);
  for (const itemId of Object.keys(reasons)) await post("/v1/scores", scoreBody(itemId));
  for (const itemId of Object.keys(reasons)) {
    await eventually(() => kit.deadLetters.get(`${MERCHANT_ID}-${itemId}`));
  }
  await worker.close();
  worker = undefined;
}

describe("dead jobs", () => {
  it("GET shows a dead job with its dead letter; a duplicate returns it without a second run", async () => {
    await killJobs({ "d-1": "invalid_payload" });
    const res = await get(`/v1/scores/${MERCHANT_ID}-d-1`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: `${MERCHANT_ID}-d-1`,
      item_id: "d-1",
      status: "dead",
      dead_letter: {
        job_id: `${MERCHANT_ID}-d-1`,
        reason: "invalid_payload",
        last_error: { code: "x", message: "died in a test" },
      },
    });

    const again = await post("/v1/scores", scoreBody("d-1"));
    expect(again.json()).toMatchObject({
      status: "dead",
      duplicate: true,
      dead_letter: { reason: "invalid_payload" },
    });
    expect(await kit.scoreQueue.getJobCountByTypes("waiting", "active", "delayed")).toBe(0);
  });

  it("lists dead letters filtered by reason, paginated", async () => {
    await killJobs({ "d-2": "invalid_payload", "d-3": "timeout", "d-4": "timeout" });
    const all = await get("/v1/dead-letters");
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ total: 3, offset: 0, limit: 50 });

    const timeouts = await get("/v1/dead-letters?reason=timeout&limit=1");
    const page = timeouts.json<{ total: number; items: Array<{ reason: string; job_id: string }> }>();
    expect(page.total).toBe(2);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.reason).toBe("timeout");

    const bad = await get("/v1/dead-letters?reason=bored");
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: "invalid_request", issues: [{ path: "reason" }] });
  });

  it("redrives by ids: the job is queued again and its dead letter gone", async () => {
    await killJobs({ "d-5": "upstream_error", "d-6": "upstream_error" });
    const res = await post("/v1/dead-letters/redrive", {
      ids: [`${MERCHANT_ID}-d-5`, `${MERCHANT_ID}-not-dead-at-all`],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ redriven: [`${MERCHANT_ID}-d-5`], count: 1 });
    expect((await get(`/v1/scores/${MERCHANT_ID}-d-5`)).json()).toEqual({
      id: `${MERCHANT_ID}-d-5`,
      item_id: "d-5",
      status: "queued",
    });
    expect((await get(`/v1/scores/${MERCHANT_ID}-d-6`)).json()).toMatchObject({ status: "dead" });
    expect((await get("/v1/dead-letters")).json()).toMatchObject({
      total: 1,
      items: [{ job_id: `${MERCHANT_ID}-d-6` }],
    });
  });

  it("redrives by reason, leaving other reasons dead", async () => {
    await killJobs({ "d-7": "timeout", "d-8": "timeout", "d-9": "silent_drop" });
    const res = await post("/v1/dead-letters/redrive", { reason: "timeout" });
    expect(res.json<{ redriven: string[] }>().redriven.sort()).toEqual([
      `${MERCHANT_ID}-d-7`,
      `${MERCHANT_ID}-d-8`,
    ]);
    for (const id of ["d-7", "d-8"]) {
      expect((await get(`/v1/scores/${MERCHANT_ID}-${id}`)).json()).toMatchObject({ status: "queued" });
    }
    expect((await get("/v1/dead-letters")).json()).toMatchObject({
      total: 1,
      items: [{ reason: "silent_drop" }],
    });
  });

  it("shows one dead letter by id; an id that is not dead is 404", async () => {
    await killJobs({ "d-10": "silent_drop" });
    const res = await get(`/v1/dead-letters/${MERCHANT_ID}-d-10`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ job_id: `${MERCHANT_ID}-d-10`, reason: "silent_drop" });
    const missing = await get(`/v1/dead-letters/${MERCHANT_ID}-nope`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: "not_found" });
  });

  it("purges by ids: the dead letter and its failed job are gone, and the id is free again", async () => {
    await killJobs({ "d-11": "timeout", "d-12": "timeout" });
    const res = await del("/v1/dead-letters", {
      ids: [`${MERCHANT_ID}-d-11`, `${MERCHANT_ID}-not-dead-at-all`],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ purged: [`${MERCHANT_ID}-d-11`], count: 1 });
    expect((await get(`/v1/scores/${MERCHANT_ID}-d-11`)).statusCode).toBe(404);
    expect(await kit.scoreQueue.getJob(`${MERCHANT_ID}-d-11`)).toBeUndefined();
    expect((await get("/v1/dead-letters")).json()).toMatchObject({
      total: 1,
      items: [{ job_id: `${MERCHANT_ID}-d-12` }],
    });
    // Purged means forgotten: the same request is a new job, not a duplicate of the dead one.
    expect((await post("/v1/scores", scoreBody("d-11"))).json()).toMatchObject({
      status: "queued",
      duplicate: false,
    });
    // Repeating the purge is harmless.
    expect((await del("/v1/dead-letters", { ids: [`${MERCHANT_ID}-d-11`] })).json()).toEqual({
      purged: [],
      count: 0,
    });
  });

  it("purges by reason, leaving other reasons dead", async () => {
    await killJobs({ "d-13": "stalled", "d-14": "stalled", "d-15": "expired" });
    const res = await del("/v1/dead-letters", { reason: "stalled" });
    expect(res.json<{ purged: string[] }>().purged.sort()).toEqual([
      `${MERCHANT_ID}-d-13`,
      `${MERCHANT_ID}-d-14`,
    ]);
    expect(await kit.scoreQueue.getFailedCount()).toBe(1);
    expect((await get("/v1/dead-letters")).json()).toMatchObject({
      total: 1,
      items: [{ reason: "expired" }],
    });
    const neither = await del("/v1/dead-letters", {});
    expect(neither.statusCode).toBe(400);
  });

  it("every redrive and purge leaves an audit line naming the caller's key by name, never the key", async () => {
    await killJobs({ "au-1": "timeout", "au-2": "silent_drop" });
    expect((await post("/v1/dead-letters/redrive", { ids: [`${MERCHANT_ID}-au-1`] })).statusCode).toBe(200);
    expect((await del("/v1/dead-letters", { reason: "silent_drop" })).statusCode).toBe(200);

    const audits = logLines.map((l) => JSON.parse(l)).filter((l) => l.audit);
    // A key of the plain list is named by its sha256's first 12 hex digits.
    const keyName = `key-${createHash("sha256").update(API_KEY).digest("hex").slice(0, 12)}`;
    expect(audits.map((l) => l.audit)).toEqual([
      { action: "redrive", key: keyName, ids_asked: 1, count: 1, ids: [`${MERCHANT_ID}-au-1`] },
      { action: "purge", key: keyName, reason: "silent_drop", count: 1, ids: [`${MERCHANT_ID}-au-2`] },
    ]);
    expect(logLines.join("")).not.toContain(API_KEY);
  });

  it("a redrive needs exactly one of ids and reason", async () => {
    const both = await post("/v1/dead-letters/redrive", { ids: ["a-b"], reason: "timeout" });
    expect(both.statusCode).toBe(400);
    const neither = await post("/v1/dead-letters/redrive", {});
    expect(neither.statusCode).toBe(400);
    expect(neither.json()).toMatchObject({ error: "invalid_request" });
  });
});

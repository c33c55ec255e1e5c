/**
 * Keys with names, roles and merchants (docs/security.md, "API keys and roles"), through the real API on a
 * real Redis: producers enqueue and read only their merchants' jobs (403 naming the field, 404 for reads),
 * dead letters and onboarding need an operator, an operator limited to merchants sees only theirs,
 * answers mask card fingerprints and show a job's callback URL only to its submitter or an operator,
 * and audit lines name the key.
 */

import { parseApiKeys } from "@riskq/config";
import { createLogger } from "@riskq/observability";
import { parseCallbackAllowListText } from "@riskq/pipeline";
import { useTestRedis } from "@riskq/testing/vitest";
import type { Worker } from "bullmq";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MerchantOnboarding } from "../src/routes/merchants";
import { type ApiKit, eventually, scoreBody, startApi, startKillingWorker } from "./support/api-harness";

const M1 = "2088000000000001";
const M2 = "2088000000000002";
const FINGERPRINT = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e9f0e";
const MASKED = "a1b2c3…9f0e";
const CALLBACK_URL = "http://127.0.0.1:9/riskq-callbacks?token=checkout-only";

const SECRETS = {
  checkout: "checkout-key-0123456789abcdef0123456789",
  "checkout-2": "checkout2-key-0123456789abcdef012345678",
  billing: "billing-key-0123456789abcdef0123456789ab",
  ops: "ops-key-0123456789abcdef0123456789abcdef",
  "ops-m2": "ops-m2-key-0123456789abcdef0123456789abc",
} as const;
type KeyName = keyof typeof SECRETS;
const KEY_FILE = JSON.stringify({
  keys: [
    { name: "checkout", secret: SECRETS.checkout, role: "producer", merchants: [M1] },
    { name: "checkout-2", secret: SECRETS["checkout-2"], role: "producer", merchants: [M1] },
    { name: "billing", secret: SECRETS.billing, role: "producer", merchants: [M2] },
    { name: "ops", secret: SECRETS.ops, role: "operator", merchants: "*" },
    { name: "ops-m2", secret: SECRETS["ops-m2"], role: "operator", merchants: [M2] },
  ],
});

const onboarded: string[] = [];
const alipay: MerchantOnboarding = {
  onboardMerchant: async (merchantId) => {
    onboarded.push(merchantId);
    return { expiresAt: Date.parse("2027-01-01T00:00:00Z") };
  },
};

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;
let worker: Worker | undefined;
let logLines: string[] = [];

beforeEach(async () => {
  logLines = [];
  onboarded.length = 0;
  const allowList = parseCallbackAllowListText("127.0.0.1");
  if (!allowList.ok) throw new Error(allowList.message);
  kit = await startApi({
    redisUrl: process.env.REDIS_URL,
    prefix: suite.redis.prefix,
    apiKeys: parseApiKeys(KEY_FILE),
    alipay,
    callbackDestinations: { allowList: allowList.value, requireHttps: false },
    logger: createLogger({
      name: "api",
      level: "info",
      destination: { write: (l: string) => logLines.push(l) },
    }),
  });
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await kit.close();
});

const as = (key: KeyName) => ({ authorization: `Bearer ${SECRETS[key]}` });
const call = (key: KeyName, method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
  kit.app.inject({ method, url, headers: as(key), ...(payload ? { payload } : {}) });

/** A card_risk request of `merchant` (with a fingerprint and, from checkout, a callback URL). */
const cardBody = (itemId: string, merchant: string, more: Record<string, unknown> = {}) =>
  scoreBody(itemId, { task: "card_risk", merchant_id: merchant, card_fingerprint: FINGERPRINT, ...more });

/** Submits each item with its key and kills it as apps/worker would, so each has a dead letter. */
async function deadJobs(items: ReadonlyArray<{ key: KeyName; body: Record<string, unknown> }>) {
  worker = startKillingWorker(kit, () => "upstream_error");
  for (const { key, body } of items)
    expect((await call(key, "POST", "/v1/scores", body)).statusCode).toBe(202);
  for (const { body } of items) {
    await eventually(() => kit.deadLetters.get(`${body.merchant_id}-${body.item_id}`));
  }
  await worker.close();
  worker = undefined;
}

describe("producers", () => {
  it("get 403 naming the field for another merchant's item, and nothing is enqueued", async () => {
    const single = await call("checkout", "POST", "/v1/scores", scoreBody("p-1", { merchant_id: M2 }));
    expect(single.statusCode).toBe(403);
    expect(single.json()).toMatchObject({ error: "forbidden", field: "merchant_id" });

    const items = [0, 1, 2, 3].map((i) => scoreBody(`p-${i}`, { merchant_id: i === 3 ? M2 : M1 }));
    const batch = await call("checkout", "POST", "/v1/scores/batch", { items });
    expect(batch.statusCode).toBe(403);
    expect(batch.json()).toMatchObject({ error: "forbidden", field: "items[3].merchant_id" });
    expect(batch.json().message).toContain(`key "checkout" may not act for merchant ${M2}`);
    expect(await kit.scoreQueue.getJobCountByTypes("waiting", "prioritized", "delayed", "active")).toBe(0);
  });

  it("enqueue for their merchant; the job records the key's name, never the key", async () => {
    const res = await call("checkout", "POST", "/v1/scores", scoreBody("p-own", { merchant_id: M1 }));
    expect(res.statusCode).toBe(202);
    const job = await kit.scoreQueue.getJob(`${M1}-p-own`);
    expect(job?.data.submitted_by).toBe("checkout");
    expect(JSON.stringify(job?.data)).not.toContain(SECRETS.checkout);
  });

  it("get 404 for another merchant's job, as for a missing one, and see their own", async () => {
    await call("billing", "POST", "/v1/scores", scoreBody("r-1", { merchant_id: M2 }));
    const other = await call("checkout", "GET", `/v1/scores/${M2}-r-1`);
    const missing = await call("checkout", "GET", `/v1/scores/${M1}-nothing`);
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toBe(missing.json().error);
    expect((await call("billing", "GET", `/v1/scores/${M2}-r-1`)).statusCode).toBe(200);
  });

  it("get 403 naming the operator role on dead letters, redrive, purge and onboarding", async () => {
    const answers = await Promise.all([
      call("checkout", "GET", "/v1/dead-letters"),
      call("checkout", "GET", `/v1/dead-letters/${M1}-x`),
      call("checkout", "POST", "/v1/dead-letters/redrive", { reason: "timeout" }),
      call("checkout", "DELETE", "/v1/dead-letters", { reason: "timeout" }),
      call("checkout", "POST", "/v1/merchants", { merchant_id: M1, auth_code: "code-1" }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: "forbidden", required_role: "operator" });
      expect(res.json().message).toContain('needs an API key with the "operator" role');
    }
    expect(onboarded).toEqual([]);
  });
});

describe("operators", () => {
  it("limited to merchants see, redrive and purge only their merchants' dead letters", async () => {
    await deadJobs([
      { key: "checkout", body: cardBody("o-1", M1) },
      { key: "billing", body: cardBody("o-2", M2) },
    ]);
    const list = await call("ops-m2", "GET", "/v1/dead-letters");
    expect(list.json()).toMatchObject({ total: 1, items: [{ job_id: `${M2}-o-2` }] });
    expect((await call("ops", "GET", "/v1/dead-letters")).json().total).toBe(2);
    expect((await call("ops-m2", "GET", `/v1/dead-letters/${M1}-o-1`)).statusCode).toBe(404);

    const redrive = await call("ops-m2", "POST", "/v1/dead-letters/redrive", { ids: [`${M1}-o-1`] });
    expect(redrive.json()).toEqual({ redriven: [], count: 0 });
    const purge = await call("ops-m2", "DELETE", "/v1/dead-letters", { reason: "upstream_error" });
    expect(purge.json()).toEqual({ purged: [`${M2}-o-2`], count: 1 });
    expect(await kit.deadLetters.get(`${M1}-o-1`)).toBeDefined();
  });

  it("limited to merchants may not onboard another; onboarding leaves an audit line naming the key", async () => {
    const other = await call("ops-m2", "POST", "/v1/merchants", { merchant_id: M1, auth_code: "code-1" });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ field: "merchant_id" });
    expect(
      (await call("ops-m2", "POST", "/v1/merchants", { merchant_id: M2, auth_code: "code-2" })).statusCode,
    ).toBe(201);
    expect(onboarded).toEqual([M2]);
    const audits = logLines.map((l) => JSON.parse(l)).filter((l) => l.audit);
    expect(audits.map((l) => l.audit)).toEqual([{ action: "onboard", key: "ops-m2", merchant_id: M2 }]);
  });

  it("redrives and purges leave audit lines naming the key, never the key itself", async () => {
    await deadJobs([{ key: "billing", body: cardBody("a-1", M2) }]);
    await call("ops-m2", "POST", "/v1/dead-letters/redrive", { ids: [`${M2}-a-1`] });
    const audits = logLines.map((l) => JSON.parse(l)).filter((l) => l.audit);
    expect(audits.map((l) => [l.audit.action, l.audit.key])).toEqual([["redrive", "ops-m2"]]);
    const text = logLines.join("");
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });
});

describe("what answers show", () => {
  it("card fingerprints masked as the dashboard shows them, in job views and dead letters", async () => {
    await deadJobs([{ key: "checkout", body: cardBody("f-1", M1) }]);
    const answers = [
      (await call("checkout", "GET", `/v1/scores/${M1}-f-1`)).json().dead_letter,
      (await call("ops", "GET", `/v1/dead-letters/${M1}-f-1`)).json(),
      (await call("ops", "GET", "/v1/dead-letters")).json().items[0],
      // A duplicate submission answers with the stored (dead) job.
      (await call("checkout", "POST", "/v1/scores", cardBody("f-1", M1))).json().dead_letter,
    ];
    for (const letter of answers) expect(letter.payload.card_fingerprint).toBe(MASKED);
    expect(JSON.stringify(answers)).not.toContain(FINGERPRINT);
  });

  it("a job's callback URL only to the key that submitted it or an operator", async () => {
    await deadJobs([{ key: "checkout", body: cardBody("u-1", M1, { callback_url: CALLBACK_URL }) }]);
    const seen = async (key: KeyName) =>
      (await call(key, "GET", `/v1/scores/${M1}-u-1`)).json().dead_letter.payload.callback_url;
    expect(await seen("checkout")).toBe(CALLBACK_URL);
    expect(await seen("ops")).toBe(CALLBACK_URL);
    // Another producer of the same merchant reads the job, not where its results go.
    expect(await seen("checkout-2")).toBeUndefined();
    const duplicate = await call("checkout-2", "POST", "/v1/scores", cardBody("u-1", M1));
    expect(duplicate.json()).toMatchObject({ duplicate: true, status: "dead" });
    expect(duplicate.body).not.toContain("checkout-only");
  });
});

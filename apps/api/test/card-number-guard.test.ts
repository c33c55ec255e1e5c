import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MerchantOnboarding } from "../src/routes/merchants";
import { type ApiKit, AUTH, countJobs, MERCHANT_ID, scoreBody, startApi } from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;
// What reached the onboarding side: a card number must never get there.
let onboarded: Array<[string, string]>;

beforeEach(async () => {
  onboarded = [];
  const alipay: MerchantOnboarding = {
    onboardMerchant: async (merchantId, authCode) => {
      onboarded.push([merchantId, authCode]);
      return { expiresAt: Date.now() + 3_600_000 };
    },
  };
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, alipay });
});
afterEach(async () => {
  expect(await countJobs(kit.scoreQueue)).toBe(0);
  await kit.close();
});

const post = (url: string, payload: object) =>
  kit.app.inject({ method: "POST", url, headers: { ...AUTH, "content-type": "application/json" }, payload });

describe("card numbers however written are refused before anything is stored or sent", () => {
  it.each([
    ["dots", { item_id: "4111.1111.1111.1111" }, "item_id"],
    ["slashes", { memo: "4111/1111/1111/1111" }, "memo"],
    ["underscores", { item_id: "4111_1111_1111_1111" }, "item_id"],
    ["two spaces", { memo: "4111  1111  1111  1111" }, "memo"],
    ["full-width digits", { memo: "４１１１１１１１１１１１１１１１" }, "memo"],
    [
      "percent-encoded in a callback URL path",
      { callback_url: "https://hooks.example.com/c/4111%201111%201111%201111" },
      "callback_url",
    ],
    ["in model_version", { model_version: "4111-1111-1111-1111" }, "model_version"],
  ])("%s → 400 pan_not_allowed naming the field, with what to do instead", async (_how, overrides, field) => {
    const res = await post("/v1/scores", scoreBody("g-1", overrides));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "pan_not_allowed", field });
    const { message } = res.json<{ message: string }>();
    expect(message).toContain("card_fingerprint");
    expect(message).toContain("put a letter between its digits");
  });

  it("an item id that only passes Luhn is refused too; with a letter inside it is accepted", async () => {
    const refused = await post("/v1/scores", scoreBody("4012888888881881"));
    expect(refused.json()).toMatchObject({ error: "pan_not_allowed", field: "item_id" });
    const accepted = await post("/v1/scores", scoreBody("4012888x888881881"));
    expect(accepted.statusCode).toBe(202);
    await kit.scoreQueue.obliterate({ force: true });
  });

  it("POST /v1/merchants refuses an auth_code that is a card number and never forwards it", async () => {
    for (const auth_code of [
      "4111111111111111",
      "4111.1111.1111.1111",
      "４１１１ １１１１ １１１１ １１１１",
    ]) {
      const res = await post("/v1/merchants", { merchant_id: MERCHANT_ID, auth_code });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: "pan_not_allowed", field: "auth_code" });
    }
    expect(onboarded).toEqual([]);
    // A real-looking code still goes through (the merchant_id, a 2088 partner id, is no card).
    expect(
      (await post("/v1/merchants", { merchant_id: MERCHANT_ID, auth_code: "ac_9f8e7d6c" })).statusCode,
    ).toBe(201);
    expect(onboarded).toEqual([[MERCHANT_ID, "ac_9f8e7d6c"]]);
  });
});

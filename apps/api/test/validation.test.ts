import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ApiKit, AUTH, countJobs, scoreBody, startApi } from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;

beforeEach(async () => {
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
});
afterEach(async () => {
  // Whatever the bad input, nothing may have been enqueued.
  expect(await countJobs(kit.scoreQueue)).toBe(0);
  await kit.close();
});

const CARD = "4111 1111 1111 1111"; // a well-known test card number (passes Luhn)

const send = (url: string, payload: string | object, headers: Record<string, string> = {}) =>
  kit.app.inject({
    method: "POST",
    url,
    headers: { ...AUTH, "content-type": "application/json", ...headers },
    payload,
  });

describe("bad input answers 400 with every field error and enqueues nothing", () => {
  it("invalid JSON", async () => {
    const res = await send("/v1/scores", '{"item_id": "x",');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_json" });
  });

  it("wrong types, unknown task, amount ≤ 0, bad currency: all listed at once", async () => {
    const res = await send(
      "/v1/scores",
      scoreBody("v-1", {
        merchant_id: 2088000000000001,
        task: "guess_the_price",
        amount: "0.00",
        currency: "EURO",
      }),
    );
    expect(res.statusCode).toBe(400);
    const body = res.json<{
      error: string;
      message: string;
      issues: Array<{ path: string; message: string }>;
    }>();
    expect(body.error).toBe("invalid_request");
    expect(body.issues.map((i) => i.path).sort()).toEqual(["amount", "currency", "merchant_id", "task"]);
    expect(body.message).toBe("4 field errors");
    for (const issue of body.issues) expect(issue.message.length).toBeGreaterThan(3);
  });

  it.each([["12.345"], ["-1.00"], ["0.00"], ["12"]])("amount %s", async (amount) => {
    const res = await send("/v1/scores", scoreBody("v-2", { amount }));
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string; issues: Array<{ path: string }> }>();
    expect(body.error).toBe("invalid_request");
    expect(new Set(body.issues.map((i) => i.path))).toEqual(new Set(["amount"]));
  });

  it("a number where a string belongs", async () => {
    const res = await send("/v1/scores", scoreBody("v-3", { amount: 12.5 }));
    expect(res.json()).toMatchObject({ error: "invalid_request", issues: [{ path: "amount" }] });
  });

  it("an unknown field is refused, by name", async () => {
    const res = await send("/v1/scores", scoreBody("v-4", { customer_note: "vip, be nice" }));
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: string; issues: Array<{ path: string; message: string }> }>();
    expect(body.error).toBe("invalid_request");
    expect(body.issues).toHaveLength(1);
    expect(body.issues[0]!.path).toBe("customer_note");
    expect(body.issues[0]!.message).toContain("customer_note");
  });

  it.each([
    ["inside item_id", { item_id: "ord-4111111111111111" }, "item_id"],
    ["in card_fingerprint", { card_fingerprint: CARD }, "card_fingerprint"],
    ["in an unknown field", { memo: `card ${CARD}` }, "memo"],
  ])("a card number %s → pan_not_allowed", async (_where, overrides, field) => {
    const res = await send("/v1/scores", scoreBody("v-5", overrides));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "pan_not_allowed", field });
    expect(res.json<{ message: string }>().message).toContain("card_fingerprint");
  });

  it("a card number in one item of a batch names that item", async () => {
    const res = await send("/v1/scores/batch", {
      items: [scoreBody("v-6"), scoreBody("v-7", { extra: { pan: "4111-1111-1111-1111" } })],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "pan_not_allowed", field: "items[1].extra.pan" });
  });

  it("a batch lists every item's errors with items[i] paths, even next to valid items", async () => {
    const res = await send("/v1/scores/batch", {
      items: [
        scoreBody("v-8", { amount: "1.234" }),
        scoreBody("v-9"),
        scoreBody("v-10", { currency: "XQQ", unknown_thing: 1 }),
        scoreBody("v-11", { task: "card_risk" }),
      ],
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ issues: Array<{ path: string }> }>();
    expect(body.issues.map((i) => i.path).sort()).toEqual([
      "items[0].amount",
      "items[2].currency",
      "items[2].unknown_thing",
      "items[3].card_fingerprint",
    ]);
  });

  it("a batch of more than 1 000 items, or none", async () => {
    const many = await send("/v1/scores/batch", {
      items: Array.from({ length: 1_001 }, (_, i) => scoreBody(`m-${i}`)),
    });
    expect(many.statusCode).toBe(400);
    expect(many.json()).toMatchObject({ error: "invalid_request", issues: [{ path: "items" }] });
    const none = await send("/v1/scores/batch", { items: [] });
    expect(none.json()).toMatchObject({ error: "invalid_request", issues: [{ path: "items" }] });
  });

  it("a body over 1 MiB → 413", async () => {
    const res = await send("/v1/scores/batch", { items: [scoreBody("big", { pad: "x".repeat(1_100_000) })] });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("a body that is not an object", async () => {
    const res = await send("/v1/scores", "[1, 2]");
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_request", issues: [{ path: "(body)" }] });
  });
});

import { randomBytes } from "node:crypto";
import { type AlipayClient, createAlipayClient } from "@riskq/alipay";
import { createLogger } from "@riskq/observability";
import { useSandbox, useTestRedis } from "@riskq/testing/vitest";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ApiKit, AUTH, startApi } from "./support/api-harness";

const sandboxSuite = useSandbox();
const redisSuite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;
let alipay: AlipayClient;
/** Every line the API and its Alipay client logged in the current test. */
let logLines: string[];

beforeEach(async () => {
  const { sandbox } = sandboxSuite;
  logLines = [];
  const logger = createLogger({
    name: "api",
    level: "debug",
    destination: { write: (line) => logLines.push(line) },
  });
  const build = (redis: Redis) =>
    createAlipayClient({
      endpoint: sandbox.url,
      appId: sandbox.appId,
      appPrivateKey: sandbox.appPrivateKey,
      platformPublicKey: sandbox.platformPublicKey,
      redis,
      prefix: redisSuite.redis.prefix,
      secretKey: randomBytes(32),
      logger: logger.child({ component: "alipay" }),
    });
  kit = await startApi({
    redisUrl: process.env.REDIS_URL,
    prefix: redisSuite.redis.prefix,
    logger,
    alipayOn: (redis) => {
      alipay = build(redis);
      return alipay;
    },
  });
});
afterEach(async () => {
  await kit.close();
});

const onboard = (body: object) =>
  kit.app.inject({ method: "POST", url: "/v1/merchants", headers: AUTH, payload: body });

describe("POST /v1/merchants", () => {
  it("exchanges the auth code and stores the token without returning it", async () => {
    const { merchant_id, auth_code } = await sandboxSuite.sandbox.control.createMerchant();
    const res = await onboard({ merchant_id, auth_code });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ merchant_id, status: "onboarded" });
    expect(Date.parse(res.json<{ token_expires_at: string }>().token_expires_at)).toBeGreaterThan(Date.now());

    // The token is in Redis, for the workers (read back through the same client, no new exchange).
    const token = await alipay.getMerchantToken(merchant_id);
    expect(token.length).toBeGreaterThan(8);
    expect(res.body).not.toContain(token);
  });

  it("answers 400 for an invalid auth code and stores nothing", async () => {
    const { merchant_id } = await sandboxSuite.sandbox.control.createMerchant();
    const res = await onboard({ merchant_id, auth_code: "not-a-real-code" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_auth_code" });
    await expect(alipay.getMerchantToken(merchant_id)).rejects.toThrow(/not onboarded/);
  });

  it("refuses another merchant's auth code without naming that merchant, in the answer or the logs", async () => {
    const owner = await sandboxSuite.sandbox.control.createMerchant();
    const { merchant_id } = await sandboxSuite.sandbox.control.createMerchant();
    const res = await onboard({ merchant_id, auth_code: owner.auth_code });

    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain(owner.merchant_id);
    const body = res.json<{ error: string; message: string }>();
    expect(body.error).toBe("auth_code_of_another_merchant");
    expect(body.message).toContain(`ask merchant ${merchant_id} for a new auth code`);
    // The logs were captured (the request line is there), and none names the owner.
    const logs = logLines.join("");
    expect(logs).toContain('"route":"/v1/merchants"');
    expect(logs).not.toContain(owner.merchant_id);
    await expect(alipay.getMerchantToken(merchant_id)).rejects.toThrow(/not onboarded/);
  });

  it("answers 400 for a malformed body and 401 without a key", async () => {
    const bad = await onboard({ merchant_id: "12", auth_code: "", extra: true });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<{ issues: Array<{ path: string }> }>()
        .issues.map((i) => i.path)
        .sort(),
    ).toEqual(["auth_code", "extra", "merchant_id"]);
    const anonymous = await kit.app.inject({ method: "POST", url: "/v1/merchants", payload: {} });
    expect(anonymous.statusCode).toBe(401);
  });
});

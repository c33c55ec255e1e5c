/**
 * `riskq merchants`, `riskq keys` and `riskq models` against a real stack (sandbox as Alipay, the API,
 * Redis), as child processes. One stack for the file; tests run in order and build on each other.
 */
import { createAlipayClient } from "@riskq/alipay";
import { API_PATHS } from "@riskq/contracts";
import { markDegraded, recordModelExpiry, recordScores } from "@riskq/drift";
import { createLogger } from "@riskq/observability";
import { cliRunner, createSdk, NOWHERE_URL } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../e2e/support/stack";

const runCli = cliRunner(process.env);

const API_KEY = "cli-test-key";
const MERCHANT = "2088000000000101";
let stack: Stack;
/** For commands that read Redis with the Alipay client: the workers' own variables. */
let redisEnv: Record<string, string>;
/** For commands that go through the API. */
let apiEnv: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ workers: 0, apiEnv: { RISKQ_API_KEYS: API_KEY } });
  redisEnv = stack.workerEnv;
  apiEnv = { RISKQ_API_URL: stack.api.url, RISKQ_API_KEY: API_KEY };
});
afterAll(async () => {
  await stack?.stop();
});

/** The Alipay client as the workers build it (same prefix and secret key), in the test process. */
function workerSideAlipay() {
  return createAlipayClient({
    endpoint: stack.sandbox.url,
    appId: stack.sandbox.appId,
    appPrivateKey: stack.sandbox.appPrivateKey,
    platformPublicKey: stack.sandbox.platformPublicKey,
    redis: stack.testRedis.redis,
    prefix: stack.prefix,
    secretKey: Buffer.from(redisEnv.RISKQ_SECRET_KEY!, "base64"),
    logger: createLogger({ name: "cli-test", level: "silent" }),
  });
}

describe("merchants", () => {
  it("add onboards through the API; a bad code exits 1 with the API's reason; no code is a usage error", async () => {
    const { auth_code } = await stack.sandbox.control.createMerchant(MERCHANT);

    const added = await runCli(["merchants", "add", MERCHANT, "--auth-code", auth_code, "--json"], {
      env: apiEnv,
    });
    const [refused, noCode] = await Promise.all([
      runCli(["merchants", "add", "2088000000000102", "--auth-code", "code_forged"], { env: apiEnv }),
      runCli(["merchants", "add", MERCHANT], { env: apiEnv }),
    ]);

    expect(added.code).toBe(0);
    expect(added.json()).toEqual({
      merchant_id: MERCHANT,
      status: "onboarded",
      token_expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("invalid_auth_code");
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toContain("missing --auth-code");
  });

  it("list shows state and token expiry from Redis, never the token", async () => {
    const token = await workerSideAlipay().getMerchantToken(MERCHANT);

    const [json, human] = await Promise.all([
      runCli(["merchants", "list", "--json"], { env: redisEnv }),
      runCli(["merchants", "list"], { env: redisEnv }),
    ]);

    expect(json.code).toBe(0);
    expect(json.json()).toEqual({
      merchants: [
        {
          merchant_id: MERCHANT,
          state: "active",
          token_expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ],
    });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^${MERCHANT} +active +\\S+Z \\(in \\d+m\\)`, "m"));
    expect(`${json.stdout}${json.stderr}${human.stdout}${human.stderr}`).not.toContain(token);
  });

  it("list shows a merchant that must re-authorise, with why", async () => {
    // Revoke for real: a second app reuses a refresh token of the merchant, which makes the remote
    // revoke every token of it; riskq's next refresh is refused and marks the merchant.
    const sdk = createSdk(stack.sandbox);
    const code = await stack.sandbox.control.newAuthCode(MERCHANT);
    const grant = await sdk.curl<{ app_refresh_token: string }>("POST", API_PATHS.authToken, {
      body: { grant_type: "authorization_code", code },
    });
    const refresh = { grant_type: "refresh_token", refresh_token: grant.data.app_refresh_token };
    await sdk.curl("POST", API_PATHS.authToken, { body: refresh });
    await sdk.curl("POST", API_PATHS.authToken, { body: refresh }).catch(() => undefined);
    await expect(workerSideAlipay().refreshMerchantToken(MERCHANT)).rejects.toThrow();

    const run = await runCli(["merchants", "list", "--json"], { env: redisEnv });

    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      merchants: [
        {
          merchant_id: MERCHANT,
          state: "reauth_required",
          token_expires_at: expect.any(String),
          reauth_reason: "refresh token rejected",
          reauth_since: expect.any(String),
        },
      ],
    });
  });
});

describe("keys", () => {
  it("status before any fetch, rotate fetches now, a forced rotation shows the next key; no key material", async () => {
    const sdk = createSdk(stack.sandbox);
    const keyList = async () =>
      (
        await sdk.curl<{ keys: Array<{ key_id: string; aes_key: string }> }>("POST", API_PATHS.keyQuery, {
          body: {},
        })
      ).data.keys;

    const before = await runCli(["keys", "status", "--json"], { env: redisEnv });
    const first = await runCli(["keys", "rotate", "--json"], { env: redisEnv });
    const listedFirst = await keyList();
    await stack.sandbox.control.rotateKeys();
    const second = await runCli(["keys", "rotate", "--json"], { env: redisEnv });
    const listedSecond = await keyList();
    // status reads Redis only: it works with Alipay out of reach.
    const status = await runCli(["keys", "status", "--json"], {
      env: { ...redisEnv, ALIPAY_ENDPOINT: NOWHERE_URL },
    });

    expect(before.code).toBe(0);
    expect(before.json()).toEqual({ current: null, keys: [] });
    expect(first.code).toBe(0);
    const firstView = first.json<{ previous_key_id: null; current: { key_id: string; state: string } }>();
    expect(firstView.previous_key_id).toBeNull();
    expect(firstView.current.state).toBe("current");
    expect(listedFirst.map((k) => k.key_id)).toContain(firstView.current.key_id);
    expect(second.code).toBe(0);
    const secondView = second.json<{
      previous_key_id: string;
      current: unknown;
      keys: Array<{ key_id: string }>;
    }>();
    expect(secondView.previous_key_id).toBe(firstView.current.key_id);
    // The forced rotation's new key is known now, next to the old one (still accepted for a while).
    const newIds = listedSecond.map((k) => k.key_id).filter((id) => id !== firstView.current.key_id);
    expect(newIds.length).toBeGreaterThan(0);
    expect(secondView.keys.map((k) => k.key_id)).toEqual(
      expect.arrayContaining([firstView.current.key_id, ...newIds]),
    );
    expect(status.code).toBe(0);
    expect(status.json()).toEqual({ current: secondView.current, keys: secondView.keys });
    const printed = `${before.stdout}${first.stdout}${second.stdout}${status.stdout}${first.stderr}${second.stderr}`;
    for (const { aes_key } of [...listedFirst, ...listedSecond]) expect(printed).not.toContain(aes_key);
  });
});

describe("models", () => {
  it("status shows degraded models with since, expiry and where their jobs go", async () => {
    const { redis } = stack.testRedis;
    const prefix = stack.prefix;
    const since = Date.parse("2026-11-20T10:00:00Z");
    await markDegraded(redis, prefix, "risk-v3-2026-11", { since, reason: "flatline" });
    await recordModelExpiry(redis, prefix, "risk-v3-2026-11", new Date("2026-12-01T00:00:00Z"));
    await recordScores(
      redis,
      { prefix, modelVersion: "risk-v3-2026-11", task: "card_risk", windowMs: 300_000, now: Date.now() },
      [0.5],
    );
    // Redis only: neither the API nor the Alipay key files are needed.
    const redisOnly = {
      ...redisEnv,
      RISKQ_API_URL: NOWHERE_URL,
      ALIPAY_APP_PRIVATE_KEY_FILE: "/nonexistent.pem",
    };

    const [withFallback, without] = await Promise.all([
      runCli(["models", "status", "--json"], {
        env: { ...redisOnly, ALIPAY_FALLBACK_MODEL_VERSION: "risk-v2-2026-05" },
      }),
      runCli(["models", "status"], { env: redisOnly }),
    ]);

    expect(withFallback.code).toBe(0);
    expect(withFallback.json()).toEqual({
      default_model_version: "risk-v3-2026-11",
      fallback_model_version: "risk-v2-2026-05",
      degraded: 1,
      models: [
        {
          model_version: "risk-v2-2026-05",
          tasks: [],
          state: "healthy",
          degraded_reason: null,
          degraded_since: null,
          expires_at: null,
          jobs_go_to: "risk-v2-2026-05",
          is_default: false,
          is_fallback: true,
        },
        {
          model_version: "risk-v3-2026-11",
          tasks: ["card_risk"],
          state: "degraded",
          degraded_reason: "flatline",
          degraded_since: "2026-11-20T10:00:00.000Z",
          expires_at: "2026-12-01T00:00:00.000Z",
          jobs_go_to: "risk-v2-2026-05",
          is_default: true,
          is_fallback: false,
        },
      ],
    });
    expect(without.code).toBe(0);
    expect(without.stdout).toMatch(
      /^risk-v3-2026-11 \(default\) +degraded: flatline +2026-11-20T10:00:00.000Z \(.+\) .*dead-letter \(model_flatline\) +card_risk$/m,
    );
    expect(without.stdout).toContain("1 degraded model; fallback: none");
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { API_PATHS, type TokenResponse } from "@riskq/contracts";
import { REPO_ROOT, signedRequest } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { advanceBoth, onboard, syntheticMerchant, useClientKit } from "./support/harness";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const PROCESSES = 3;
const CALLS_PER_PROCESS = 50;
// 14.5 min into a 15-min token: 30 s left, under the client's 60 s minimum, so every call wants a refresh.
const NEAR_EXPIRY_MS = 14.5 * 60_000;

interface HammerResult {
  hashes: string[];
  errors: string[];
}

/** A running token-hammer process, driven by its stdout lines. */
function startHammer(env: Record<string, string>) {
  const child: ChildProcess = spawn(
    join(REPO_ROOT, "node_modules/.bin/tsx"),
    [join(REPO_ROOT, "packages/alipay/test/fixtures/token-hammer.ts")],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const events = new Map<string, (value: unknown) => void>();
  const waits = new Map<string, Promise<unknown>>();
  for (const name of ["ready", "done"]) {
    waits.set(name, new Promise((resolve) => events.set(name, resolve)));
  }
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`token-hammer exited (${code}) early:\n${stderr}`))),
  );
  exited.catch(() => undefined);
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const parsed = JSON.parse(line) as { event: string };
    events.get(parsed.event)?.(parsed);
  });
  return {
    ready: () => Promise.race([waits.get("ready")!, exited]),
    go: () => child.stdin!.end("go\n"),
    done: () => Promise.race([waits.get("done")!, exited]) as Promise<HammerResult>,
    kill: () => child.kill("SIGKILL"),
  };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("merchant token refresh across processes", () => {
  const suite = useClientKit();

  it("refreshes exactly once when three processes ask 150 times at expiry, and all get the new token", async () => {
    const client = suite.kit.client();
    const merchantId = syntheticMerchant().merchant_id;
    await onboard(suite.sandbox, client, merchantId);
    const original = await client.getMerchantToken(merchantId);
    await advanceBoth(suite.sandbox, suite.kit.clock, NEAR_EXPIRY_MS);

    const hammers = Array.from({ length: PROCESSES }, () =>
      startHammer({
        HAMMER_ENDPOINT: suite.sandbox.url,
        HAMMER_APP_ID: suite.sandbox.appId,
        HAMMER_APP_PRIVATE_KEY: suite.sandbox.appPrivateKey,
        HAMMER_PLATFORM_PUBLIC_KEY: suite.sandbox.platformPublicKey,
        HAMMER_REDIS_URL: REDIS_URL,
        HAMMER_PREFIX: suite.redis.prefix,
        HAMMER_SECRET_KEY: suite.kit.secretKey.toString("base64"),
        HAMMER_MERCHANT_ID: merchantId,
        HAMMER_CALLS: String(CALLS_PER_PROCESS),
        HAMMER_CLOCK_OFFSET_MS: String(suite.kit.clock.offset),
      }),
    );
    let results: HammerResult[];
    try {
      await Promise.all(hammers.map((h) => h.ready()));
      for (const h of hammers) h.go();
      results = await Promise.all(hammers.map((h) => h.done()));
    } finally {
      for (const h of hammers) h.kill();
    }

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    const hashes = results.flatMap((r) => r.hashes);
    expect(hashes).toHaveLength(PROCESSES * CALLS_PER_PROCESS);
    expect(new Set(hashes).size).toBe(1);
    expect(hashes[0]).not.toBe(sha256(original));
    expect(hashes[0]).toBe(sha256(await client.getMerchantToken(merchantId)));

    const ledger = await suite.sandbox.control.ledger();
    expect(ledger.token_refreshes).toBe(1);
    expect(ledger.revocations).toBe(0);
    expect(ledger.by_code["invalid-refresh-token"]).toBeUndefined();
  }, 60_000);

  it("(contrast) two uncoordinated refreshes with one refresh token get the merchant revoked", async () => {
    // What the lock prevents: refresh tokens are single-use, and reuse revokes the merchant.
    const { auth_code } = await suite.sandbox.control.createMerchant(syntheticMerchant().merchant_id);
    const exchange = (body: object) =>
      signedRequest<TokenResponse>({
        baseUrl: suite.sandbox.url,
        method: "POST",
        path: API_PATHS.authToken,
        body,
        appId: suite.sandbox.appId,
        appPrivateKey: suite.sandbox.appPrivateKey,
      });
    const granted = await exchange({ grant_type: "authorization_code", code: auth_code });
    expect(granted.status).toBe(200);
    const refresh = { grant_type: "refresh_token", refresh_token: granted.json.app_refresh_token };

    const first = await exchange(refresh);
    const second = await exchange(refresh);

    expect(first.status).toBe(200);
    expect(second.status).toBe(400);
    expect((second.json as unknown as { code: string }).code).toBe("invalid-refresh-token");
    const ledger = await suite.sandbox.control.ledger();
    expect(ledger.token_refreshes).toBe(1);
    expect(ledger.revocations).toBe(1);
  });
});

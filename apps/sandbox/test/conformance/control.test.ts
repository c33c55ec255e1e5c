// Contract section 10: the sandbox-only control API.
import { API_PATHS } from "@riskq/contracts";
import { createSdk } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { apiError, DAY_MS, makeItem, merchantClient } from "./harness";

const suite = useSandbox();
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const near = (a: string, b: number, toleranceMs = 60_000) => Math.abs(Date.parse(a) - b) <= toleranceMs;

describe("GET /__sandbox/state", () => {
  it("has the documented shape after a reset", async () => {
    const state = await suite.sandbox.control.state();
    expect(state.clock.now).toMatch(isoTime);
    expect(state.clock.offset_ms).toBe(0);
    expect(state.merchants).toEqual([]);
    expect(state.account_created_at).toMatch(isoTime);
    expect(state.keys.length).toBeGreaterThan(0);
    for (const key of state.keys) {
      expect(Object.keys(key).sort()).toEqual(["expires_at", "key_id", "not_before"]);
    }
    expect(state.faults.rate_limits).toEqual({ app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 });
    expect(Object.values(state.faults.error_rates).every((r) => r === 0)).toBe(true);
    expect(state.faults.latency).toMatchObject({ profile: "fast" });
  });

  it("places the three models of 6.3 relative to the clock at reset", async () => {
    const state = await suite.sandbox.control.state();
    const t0 = Date.parse(state.clock.now);
    const byVersion = Object.fromEntries(state.models.map((m) => [m.version, m]));
    expect(Object.keys(byVersion).sort()).toEqual(["risk-v3-2026-09", "risk-v3-2026-10", "risk-v3-2026-11"]);
    const expected: Record<string, [number, number, boolean]> = {
      "risk-v3-2026-09": [-70, -10, true],
      "risk-v3-2026-10": [-40, 20, false],
      "risk-v3-2026-11": [-10, 50, false],
    };
    for (const [version, [released, retires, retired]] of Object.entries(expected)) {
      const model = byVersion[version]!;
      expect(near(model.released_at, t0 + released * DAY_MS), `${version} released_at`).toBe(true);
      expect(near(model.retires_at, t0 + retires * DAY_MS), `${version} retires_at`).toBe(true);
      expect(model.retired).toBe(retired);
    }
  });

  it("defaults the account to one year before t0", async () => {
    const state = await suite.sandbox.control.state();
    const age = Date.parse(state.clock.now) - Date.parse(state.account_created_at);
    expect(age).toBeGreaterThanOrEqual(365 * DAY_MS - 60_000);
    expect(age).toBeLessThanOrEqual(366 * DAY_MS + 60_000);
  });

  it("lists merchants with their token expiry and revocation", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    const unauthorised = await sb.control.createMerchant();
    const state = await sb.control.state();
    const mine = state.merchants.find((m) => m.merchant_id === client.merchantId);
    expect(mine?.revoked).toBe(false);
    expect(mine?.token_expires_at).toMatch(isoTime);
    expect(state.merchants.map((m) => m.merchant_id)).toContain(unauthorised.merchant_id);
  });
});

describe("POST /__sandbox/merchants", () => {
  it("generates a 16-digit merchant id and a one-time code when none is given", async () => {
    const created = await suite.sandbox.control.createMerchant();
    expect(created.merchant_id).toMatch(/^\d{16}$/);
    expect(created.auth_code).toEqual(expect.any(String));
  });

  it("issues fresh codes for re-authorisation", async () => {
    const sb = suite.sandbox;
    const { merchant_id, auth_code } = await sb.control.createMerchant();
    const again = await sb.control.newAuthCode(merchant_id);
    expect(again).not.toBe(auth_code);
  });
});

describe("POST /__sandbox/clock", () => {
  it("moves the virtual clock forward and reports the new now", async () => {
    const sb = suite.sandbox;
    const before = Date.parse((await sb.control.state()).clock.now);
    const { now } = await sb.control.advanceClock(3_600_000);
    expect(near(now, before + 3_600_000)).toBe(true);
    const state = await sb.control.state();
    expect(state.clock.offset_ms).toBe(3_600_000);
    expect(near(state.clock.now, before + 3_600_000)).toBe(true);
  });

  it("accumulates successive advances", async () => {
    const sb = suite.sandbox;
    await sb.control.advanceClock(1_000);
    await sb.control.advanceClock(2 * DAY_MS);
    expect((await sb.control.state()).clock.offset_ms).toBe(2 * DAY_MS + 1_000);
  });
});

describe("POST /__sandbox/faults", () => {
  it("applies a partial update and keeps the rest", async () => {
    const faults = await suite.sandbox.control.faults({ rate_limits: { app_qps: 5 } });
    expect(faults.rate_limits).toEqual({ app_qps: 5, app_burst: 20, batch_qps: 10, batch_burst: 10 });
    expect((await suite.sandbox.control.state()).faults.rate_limits.app_qps).toBe(5);
  });
});

describe("POST /__sandbox/reset", () => {
  it("restores the start state: merchants, ledger, clock, faults, models, account, keys", async () => {
    const sb = suite.sandbox;
    const pristine = await sb.control.state();

    const client = await merchantClient(sb);
    await client.predict({ items: [makeItem(client.merchantId, 1)] });
    await sb.control.faults({
      latency: { profile: "realistic" },
      error_rates: { "503": 0.5 },
      rate_limits: { app_qps: 3, app_burst: 3 },
    });
    await sb.control.retireModel("risk-v3-2026-11");
    await sb.control.setAccountCreatedAt(new Date(Date.parse(pristine.clock.now) - 5 * DAY_MS).toISOString());
    await sb.control.rotateKeys();
    await sb.control.advanceClock(40 * DAY_MS);

    await sb.reset();
    const state = await sb.control.state();
    expect(state.clock.offset_ms).toBe(0);
    expect(state.merchants).toEqual([]);
    expect(state.faults).toEqual(pristine.faults);
    expect(state.models.map((m) => [m.version, m.retired])).toEqual(
      pristine.models.map((m) => [m.version, m.retired]),
    );
    expect(near(state.account_created_at, Date.parse(pristine.account_created_at))).toBe(true);
    expect(state.keys.map((k) => k.key_id)).toEqual(pristine.keys.map((k) => k.key_id));
    expect(await sb.control.ledger()).toEqual({
      calls: 0,
      items: 0,
      flagged: 0,
      cost_usd: 0,
      by_status: {},
      by_code: {},
      silent_drops: 0,
      truncations: 0,
      token_grants: 0,
      token_refreshes: 0,
      revocations: 0,
    });
  });

  it("refills the rate-limit buckets", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ rate_limits: { app_qps: 0.01, app_burst: 1 } });
    const client = await merchantClient(sb).catch(() => undefined); // spends (and runs out of) the bucket
    expect(client).toBeUndefined();
    await sb.reset();
    // A full default bucket takes a burst of 15 at once; an emptied one would refuse most of it.
    const sdk = createSdk(sb);
    const burst = await Promise.allSettled(
      Array.from({ length: 15 }, () => sdk.curl("POST", API_PATHS.keyQuery, { body: {} })),
    );
    expect(burst.filter((r) => r.status === "rejected")).toEqual([]);
  });

  it("forgets tokens: a token from before the reset is unknown after it", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.reset();
    const err = await apiError(client.predict({ items: [makeItem(client.merchantId, 1)] }));
    expect(err).toMatchObject({ status: 401, code: "invalid-app-auth-token" });
  });
});

describe("GET /__sandbox/ledger", () => {
  it("counts every /v3 request by status and code", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb); // token exchange + key query
    await client.predict({ items: [makeItem(client.merchantId, 1)] });
    await client.predict({ items: [] }).catch(() => undefined);
    const ledger = await sb.control.ledger();
    expect(ledger.calls).toBe(4);
    expect(ledger.by_status).toEqual({ "200": 3, "400": 1 });
    expect(ledger.by_code).toEqual({ "invalid-parameter": 1 });
    expect(ledger.token_grants).toBe(1);
    expect(ledger.items).toBe(1);
  });
});

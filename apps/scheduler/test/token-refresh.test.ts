import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { describe, expect, it } from "vitest";
import { refreshTokensJob } from "../src/jobs/token-refresh";
import { MODEL, memoryLogger, TASK, testLogger, useSchedulerKit } from "./support/scheduler-harness";

const suite = useSchedulerKit();
const MINUTE = 60_000;

describe("token-refresh job", () => {
  it("keeps 20 merchants scoring for 2 virtual hours: every batch answered, no silent drop, no revocation", async () => {
    const { kit, sandbox } = suite;
    // Scoring 20 merchants at once must not meet the sandbox's default call limits.
    await sandbox.control.faults({
      rate_limits: { app_qps: 1_000, app_burst: 1_000, batch_qps: 1_000, batch_burst: 1_000 },
    });
    const alipay = kit.client();
    const merchants = generateMerchants({ seed: 51, count: 20 });
    const merchantIds = merchants.map((m) => m.merchant_id);
    await kit.onboard(alipay, merchantIds);
    const steps = 24; // 2 h of 5-min steps
    const itemsOf = new Map(
      merchants.map((m, i) => [
        m.merchant_id,
        generateTraffic({
          seed: 100 + i,
          merchants: [m],
          count: steps * 2,
          start: "2026-11-26T08:00:00Z",
        }).map((t) => t.item),
      ]),
    );

    let refreshRuns = 0;
    for (let step = 1; step <= steps; step += 1) {
      await kit.advance(5 * MINUTE);
      if (step % 2 === 0) {
        const report = await refreshTokensJob({ alipay, now: kit.now, logger: testLogger });
        refreshRuns += 1;
        // Every token was 5 min from expiry: the job refreshed all of them, nobody else had to.
        expect(report).toMatchObject({ merchants: 20, reauthRequired: [], failed: [] });
        expect(report.refreshed.sort()).toEqual([...merchantIds].sort());
        for (const id of merchantIds)
          expect((await alipay.tokenExpiry(id))! - kit.now()).toBeGreaterThan(14 * MINUTE);
      }
      const batches = await Promise.all(
        merchantIds.map((merchantId) => {
          const items = itemsOf.get(merchantId)!.splice(0, 2);
          expect(items).toHaveLength(2);
          return alipay
            .scoreBatch({ merchantId, task: TASK, modelVersion: MODEL, items })
            .then((r) => ({ r, n: items.length }));
        }),
      );
      for (const { r, n } of batches) {
        expect(r.missing).toBeUndefined();
        expect(r.outcomes).toHaveLength(n);
        expect(r.outcomes.every((o) => "result" in o)).toBe(true);
      }
    }

    const ledger = await sandbox.control.ledger();
    expect(ledger.silent_drops).toBe(0);
    expect(ledger.revocations).toBe(0);
    expect(ledger.token_grants).toBe(20);
    // One refresh per merchant per run: the scoring path never had to refresh on its own.
    expect(ledger.token_refreshes).toBe(20 * refreshRuns);
  });

  it("skips a token with time left, and alerts and skips a merchant that must re-authorise", async () => {
    const { kit, sandbox } = suite;
    const alipay = kit.client();
    const [revoked, healthy] = generateMerchants({ seed: 61, count: 2 }).map((m) => m.merchant_id) as [
      string,
      string,
    ];
    await kit.onboard(alipay, [revoked, healthy]);

    const early = await refreshTokensJob({ alipay, now: kit.now, logger: testLogger });
    expect(early.refreshed).toEqual([]);

    // The stored refresh token of `revoked` is one Alipay already consumed: using it revokes the merchant.
    const tokenKey = `${kit.prefix}:merchant:${revoked}:token`;
    const spent = await kit.connection.hget(tokenKey, "sealed");
    await alipay.refreshMerchantToken(revoked);
    await kit.connection.hset(tokenKey, "sealed", spent!);
    await kit.advance(10 * MINUTE);

    const log = memoryLogger();
    const report = await refreshTokensJob({ alipay, now: kit.now, logger: log.logger });

    expect(report.refreshed).toEqual([healthy]);
    expect(report.reauthRequired).toEqual([revoked]);
    expect(log.records()).toContainEqual(
      expect.objectContaining({ level: 50, alert: "merchant_reauth_required", merchantId: revoked }),
    );
    expect((await sandbox.control.ledger()).revocations).toBe(1);
    // Skipped from now on without calling Alipay again, still alerted.
    const callsBefore = (await sandbox.control.ledger()).calls;
    const again = await refreshTokensJob({ alipay, now: kit.now, logger: testLogger });
    expect(again.reauthRequired).toEqual([revoked]);
    expect((await sandbox.control.ledger()).calls).toBe(callsBefore);
  });
});

// Contract sections 9 and 11: on typical synthetic traffic the healthy model flags a few percent
// at 0.7, several times more at 0.6, and separates fraud from honest payments well but not perfectly.
import { generateMerchants, generateTraffic, type LabelledItem } from "@riskq/synthetic";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { type MerchantClient, merchantClient } from "./harness";

const suite = useSandbox();

/** Scores labelled traffic in per-merchant batches of 100, in time order. */
async function scoreTraffic(
  seed: number,
  count: number,
): Promise<Array<{ confidence: number; isFraud: boolean }>> {
  const sb = suite.sandbox;
  // Volume, not rate limiting, is under test here.
  await sb.control.faults({
    rate_limits: { app_qps: 1000, app_burst: 1000, batch_qps: 1000, batch_burst: 1000 },
  });
  // "Typical traffic" as the generator means it: a few dozen merchants over most of a day. A fixed
  // start keeps the hours of day (and so the verdict) the same whenever the test runs.
  const merchants = generateMerchants({ seed, count: 30 });
  const clients = new Map<string, MerchantClient>();
  for (const m of merchants) clients.set(m.merchant_id, await merchantClient(sb, m.merchant_id));
  const traffic = generateTraffic({ seed, merchants, count, start: "2026-11-20T06:00:00Z" });
  const byMerchant = new Map<string, LabelledItem[]>();
  for (const t of traffic) {
    const list = byMerchant.get(t.item.merchant_id) ?? [];
    list.push(t);
    byMerchant.set(t.item.merchant_id, list);
  }
  const scored: Array<{ confidence: number; isFraud: boolean }> = [];
  for (const [merchantId, items] of byMerchant) {
    for (let i = 0; i < items.length; i += 100) {
      const chunk = items.slice(i, i + 100);
      const res = await clients.get(merchantId)!.batch({ items: chunk.map((c) => c.item) });
      res.results.forEach((r, k) => {
        scored.push({ confidence: r.confidence, isFraud: chunk[k]!.is_fraud });
      });
    }
  }
  return scored;
}

/** Probability that a random fraud scores above a random honest payment (ties count half). */
function auc(scored: Array<{ confidence: number; isFraud: boolean }>): number {
  const fraud = scored.filter((s) => s.isFraud).map((s) => s.confidence);
  const honest = scored.filter((s) => !s.isFraud).map((s) => s.confidence);
  let wins = 0;
  for (const f of fraud) for (const h of honest) wins += f > h ? 1 : f === h ? 0.5 : 0;
  return wins / (fraud.length * honest.length);
}

describe("healthy model on typical traffic", () => {
  it("flags about 3–6% at 0.7 and 15–25% at 0.6, with an AUC of about 0.90–0.97", {
    timeout: 60_000,
  }, async () => {
    const scored = await scoreTraffic(1, 20_000);
    expect(scored).toHaveLength(20_000);
    const share = (t: number) => scored.filter((s) => s.confidence >= t).length / scored.length;
    expect(share(0.7)).toBeGreaterThanOrEqual(0.03);
    expect(share(0.7)).toBeLessThanOrEqual(0.06);
    expect(share(0.6)).toBeGreaterThanOrEqual(0.15);
    expect(share(0.6)).toBeLessThanOrEqual(0.25);
    const area = auc(scored);
    console.log(
      `ground truth: AUC ${area.toFixed(3)}, ≥0.7 ${share(0.7).toFixed(3)}, ≥0.6 ${share(0.6).toFixed(3)}`,
    );
    expect(area).toBeGreaterThanOrEqual(0.9);
    expect(area).toBeLessThanOrEqual(0.97);
  });
});

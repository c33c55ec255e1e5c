import { loadConfig } from "@riskq/config";
import {
  type BudgetConfig,
  createBudgetGuard,
  readRecordedTraffic,
  simulateMonthlyBill,
  usdOf,
} from "@riskq/cost";
import { useTestRedis } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { budgetConfigOf, dashboardEnv } from "../src/config";
import { currentThreshold } from "../src/cost/current-threshold";
import { MERCHANT_A, MERCHANT_B, recordTraffic } from "./support/cost-traffic";
import { AUTH, DEFAULT_COST_SETTINGS, startDashboard } from "./support/dashboard-kit";

const suite = useTestRedis({ url: process.env.REDIS_URL });
/** A fake clock: mid-November, so "20 days ago" falls in October (outside this month's spend). */
const NOW = Date.parse("2026-11-20T12:00:00Z");
const WINDOW = { from: "2026-10-22", to: "2026-11-20" };

interface CostJson {
  spend: {
    today: { day: string; total_usd: string; total_units: number; estimated_calls: number };
    month: { month: string; total_usd: string; total_units: number };
    merchants: Array<{
      merchant_id: string;
      month: { total_units: number };
      budgets: Array<{ name: string }>;
    }>;
  };
  budgets: null | Array<{
    name: string;
    period_id: string;
    limit_usd: number;
    spent_usd: number;
    reserved_usd: number;
    left_usd: number;
  }>;
  projection: null | {
    days: string[];
    recorded_monthly_units: number;
    current: {
      threshold: number;
      threshold_source: string;
      batch_size: number;
      prefilter: string;
      monthly_units: number;
    };
    thresholds: number[];
    curves: Array<{ prefilter: string; batch_size: number; monthly_units: number[] }>;
  };
}

async function withDashboard<T>(
  options: { cost?: typeof DEFAULT_COST_SETTINGS; prefix?: string },
  run: (
    get: (url: string) => Promise<{ status: number; body: string; headers: Record<string, unknown> }>,
  ) => Promise<T>,
): Promise<T> {
  const kit = await startDashboard({
    redisUrl: process.env.REDIS_URL,
    prefix: options.prefix ?? suite.redis.prefix,
    cost: options.cost ?? DEFAULT_COST_SETTINGS,
    now: () => NOW,
  });
  try {
    return await run(async (url) => {
      const res = await kit.app.inject({ method: "GET", url, headers: AUTH });
      return { status: res.statusCode, body: res.body, headers: res.headers };
    });
  } finally {
    await kit.close();
  }
}

const costJson = (body: string) => JSON.parse(body) as CostJson;

describe("the cost page", () => {
  it("shows the ledger's spend today and this month, and the simulator's bill curves with the current setting", async () => {
    const { redis, prefix } = suite.redis;
    const spend = await recordTraffic(redis, prefix, NOW);
    const traffic = await readRecordedTraffic(redis, prefix, WINDOW);
    const simulated = (threshold: number, batchSize: number, prefilter: "on" | "off") =>
      simulateMonthlyBill(traffic, { threshold, batchSize, prefilter }).monthly.proposed.totalUnits;

    await withDashboard({}, async (get) => {
      const res = await get("/cost.json");
      expect(res.status).toBe(200);
      const json = costJson(res.body);
      // Spend: the ledger's units, the lost answer's estimate included; October's day not in November.
      expect(json.spend.today).toMatchObject({
        day: "2026-11-20",
        total_units: spend.today,
        total_usd: usdOf(spend.today),
        estimated_calls: 1,
      });
      expect(json.spend.month).toMatchObject({
        month: "2026-11",
        total_units: spend.today + spend.yesterday,
      });
      expect(json.spend.merchants.map((m) => [m.merchant_id, m.month.total_units])).toEqual(
        [
          [MERCHANT_A, spend.today],
          [MERCHANT_B, spend.yesterday],
        ].sort((a, b) => Number(b[1]) - Number(a[1])),
      );
      expect(json.budgets).toBeNull();

      // The projection: 91 thresholds from 0.05 to 0.95, pre-filter off and on, every batch size.
      const p = json.projection!;
      expect(p.days).toEqual(["2026-10-31", "2026-11-19", "2026-11-20"]);
      expect(p.thresholds).toHaveLength(91);
      expect([p.thresholds[0], p.thresholds.at(-1)]).toEqual([0.05, 0.95]);
      expect(p.current).toMatchObject({
        threshold: 0.7,
        threshold_source: "default",
        batch_size: 100,
        prefilter: "off",
      });
      expect(p.current.monthly_units).toBe(simulated(0.7, 100, "off"));
      const at70 = p.thresholds.indexOf(0.7);
      for (const curve of p.curves) {
        expect(curve.monthly_units).toHaveLength(91);
        expect(curve.monthly_units[at70]).toBe(
          simulated(0.7, curve.batch_size, curve.prefilter as "on" | "off"),
        );
        // A lower threshold flags (and so reviews) more: the bill falls as the threshold rises.
        expect(curve.monthly_units[0]!).toBeGreaterThan(curve.monthly_units.at(-1)!);
      }
      expect(p.curves.map((c) => `${c.prefilter}/${c.batch_size}`)).toEqual([
        "off/10",
        "off/25",
        "off/50",
        "off/100",
        "on/10",
        "on/25",
        "on/50",
        "on/100",
      ]);
      // As recorded (threshold 0.7, nothing re-batched) the simulator reproduces the ledger's bill.
      expect(p.recorded_monthly_units).toBe(simulateMonthlyBill(traffic).monthly.current.totalUnits);

      const page = await get("/cost");
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.headers["content-security-policy"]).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(page.body).toContain(`$${usdOf(spend.today)}`);
      expect(page.body).toContain(`$${usdOf(spend.today + spend.yesterday)}`);
      expect(page.body).toContain("No budget.");
      expect(page.body.match(/<svg class="bill-chart"/g)).toHaveLength(2);
      expect(page.body.match(/<polyline class="curve/g)).toHaveLength(8);
      // The marker sits in the pre-filter-off panel only (RISKQ_PREFILTER=shadow sends every item).
      expect(page.body.match(/id="current-setting"/g)).toHaveLength(1);
      expect(page.body).toMatch(/data-prefilter="off"[\s\S]*id="current-setting"[\s\S]*data-prefilter="on"/);
      expect(page.body).not.toContain("<script");
      expect(page.body).toContain('href="/admin/queues"');
    });
  });

  it("marks the workers' batch cap and pre-filter mode, and infers a threshold the recording shows", async () => {
    const { redis, prefix } = suite.redis;
    await recordTraffic(redis, prefix, NOW, 0.5);
    const traffic = await readRecordedTraffic(redis, prefix, WINDOW);
    expect(currentThreshold(traffic)).toEqual({ value: 0.5, source: "recorded" });

    await withDashboard({ cost: { budgets: {}, batchCap: 30, prefilter: "on" } }, async (get) => {
      const p = costJson((await get("/cost.json")).body).projection!;
      expect(p.current).toMatchObject({
        threshold: 0.5,
        threshold_source: "recorded",
        batch_size: 30,
        prefilter: "on",
      });
      const expected = simulateMonthlyBill(traffic, { threshold: 0.5, batchSize: 30, prefilter: "on" });
      expect(p.current.monthly_units).toBe(expected.monthly.proposed.totalUnits);
      // The cap is drawn too, in order, and its curve holds the same point.
      const curve = p.curves.find((c) => c.prefilter === "on" && c.batch_size === 30)!;
      expect(curve.monthly_units[p.thresholds.indexOf(0.5)]).toBe(p.current.monthly_units);
      expect(p.curves.filter((c) => c.prefilter === "on").map((c) => c.batch_size)).toEqual([
        10, 25, 30, 50, 100,
      ]);

      const html = (await get("/cost")).body;
      expect(html).toMatch(/data-prefilter="on"[\s\S]*id="current-setting"/);
      expect(html).toContain("threshold 0.50");
    });
  });

  it("shows the budgets' limits, spent and reserved for the current day and month", async () => {
    const { redis, prefix } = suite.redis;
    const budgets: BudgetConfig = {
      global: { dailyUsd: 5, monthlyUsd: 100 },
      merchants: { [MERCHANT_A]: { dailyUsd: 1 } },
    };
    const guard = createBudgetGuard({ redis, prefix, config: budgets, now: () => NOW });
    const settled = await guard.reserve(MERCHANT_A, 4);
    await settled.billed("0.0144");
    // A call still in flight holds its worst case.
    await guard.reserve(MERCHANT_A, 2);

    await withDashboard({ cost: { ...DEFAULT_COST_SETTINGS, budgets } }, async (get) => {
      const json = costJson((await get("/cost.json")).body);
      expect(json.budgets).toHaveLength(2);
      const [daily, monthly] = json.budgets!;
      expect(daily).toMatchObject({
        name: "global daily budget",
        period_id: "2026-11-20",
        limit_usd: 5,
        spent_usd: 0.0144,
      });
      expect(monthly).toMatchObject({
        name: "global monthly budget",
        period_id: "2026-11",
        limit_usd: 100,
        spent_usd: 0.0144,
      });
      expect(daily!.reserved_usd).toBeGreaterThan(0);
      expect(daily!.left_usd).toBeCloseTo(5 - 0.0144 - daily!.reserved_usd, 6);
      // The merchant's own budget, though nothing is in its ledger yet.
      expect(json.spend.merchants).toEqual([
        expect.objectContaining({
          merchant_id: MERCHANT_A,
          budgets: [expect.objectContaining({ name: `daily budget of merchant ${MERCHANT_A}` })],
        }),
      ]);
      const html = (await get("/cost")).body;
      expect(html).toContain("global daily budget");
      expect(html).toContain("<meter");
      expect(html).not.toContain("No budget.");
    });
  });

  it("says plainly that nothing is recorded yet, and how to record some", async () => {
    await withDashboard({}, async (get) => {
      const json = costJson((await get("/cost.json")).body);
      expect(json.projection).toBeNull();
      expect(json.spend.today.total_units).toBe(0);
      const html = (await get("/cost")).body;
      expect(html).toContain("Nothing recorded yet");
      expect(html).toContain("pnpm worker");
      expect(html).not.toContain('<svg class="bill-chart"');
    });
  });

  it("asks for the login (401) without credentials", async () => {
    const kit = await startDashboard({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
    try {
      for (const url of ["/cost", "/cost.json"]) {
        const res = await kit.app.inject({ method: "GET", url });
        expect(res.statusCode, url).toBe(401);
        expect(res.headers["www-authenticate"]).toMatch(/^Basic /);
        expect(res.body).not.toContain("spend");
      }
    } finally {
      await kit.close();
    }
  });
});

describe("the cost page's configuration", () => {
  it("reads the workers' variables with the workers' defaults: no budget, BATCH_CAP 100, pre-filter shadow", () => {
    const { config } = loadConfig(dashboardEnv, {});
    expect(config).toMatchObject({ BATCH_CAP: 100, RISKQ_PREFILTER: "shadow" });
    expect(budgetConfigOf(config)).toEqual({
      global: { dailyUsd: undefined, monthlyUsd: undefined },
      perMerchant: { dailyUsd: undefined, monthlyUsd: undefined },
      merchants: {},
    });

    const set = loadConfig(dashboardEnv, {
      RISKQ_BUDGET_DAILY_USD: "5",
      RISKQ_BUDGET_MONTHLY_USD: "100",
      RISKQ_BUDGET_MERCHANT_MONTHLY_USD: "20",
      RISKQ_BUDGET_MERCHANTS: `${MERCHANT_A}=1/none`,
      BATCH_CAP: "30",
      RISKQ_PREFILTER: "on",
    }).config;
    expect(set).toMatchObject({ BATCH_CAP: 30, RISKQ_PREFILTER: "on" });
    expect(budgetConfigOf(set)).toEqual({
      global: { dailyUsd: 5, monthlyUsd: 100 },
      perMerchant: { dailyUsd: undefined, monthlyUsd: 20 },
      merchants: { [MERCHANT_A]: { dailyUsd: 1, monthlyUsd: null } },
    });
    expect(() => loadConfig(dashboardEnv, { RISKQ_BUDGET_MERCHANTS: "nonsense" })).toThrow(
      /RISKQ_BUDGET_MERCHANTS/,
    );
  });
});

import { budgetThresholdAlert } from "@riskq/alerts";
import { RateLimited, ResponseInvalid, Timeout, UpstreamError } from "@riskq/alipay";
import { parseConfig } from "@riskq/config";
import { BudgetExhausted, type BudgetGuard, budgetConfigOf, createBudgetGuard } from "@riskq/cost";
import { CircuitOpenError, createCallRateLimiter, createCircuitBreaker } from "@riskq/pipeline";
import { createTestRedis, type TestRedis } from "@riskq/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { endUnanswered } from "../src/budget/budget-call";
import { decideBudget, HELD_WAIT_MS } from "../src/budget/budget-wait";
import { createWorkerMetrics } from "../src/metrics/worker-metrics";
import { workerEnv } from "../src/worker-env";

const MERCHANT = "2088000000000001";
const NOW = Date.UTC(2026, 4, 12, 23, 58, 0);
const MIDNIGHT = Date.UTC(2026, 4, 13);
const exhausted = new BudgetExhausted({
  exhausted: true,
  resetsAt: MIDNIGHT,
  budgets: ["global daily budget"],
});
const held = new BudgetExhausted({ exhausted: false, budgets: ["global daily budget"] });
const policy = { onExhausted: "wait" as const, recheckMs: 60_000, maxWaitMs: 3_600_000 };

describe("what a job the budget stopped does", () => {
  it("waits about a second while the money is held by calls in flight, in either mode", () => {
    for (const onExhausted of ["wait", "dead-letter"] as const) {
      for (const r of [0, 0.999]) {
        const d = decideBudget(held, { ...policy, onExhausted }, undefined, NOW, () => r);
        expect(d.kind).toBe("wait");
        if (d.kind !== "wait") continue;
        expect(d.code).toBe("budget_held");
        expect(d.delayMs).toBeGreaterThanOrEqual(HELD_WAIT_MS * 0.5);
        expect(d.delayMs).toBeLessThan(HELD_WAIT_MS * 1.5);
      }
    }
  });

  it("rechecks an exhausted budget at the jittered interval, but wakes just after the period ends when that is sooner", () => {
    const early = Date.UTC(2026, 4, 12, 10, 0, 0);
    expect(decideBudget(exhausted, policy, undefined, early, () => 0)).toEqual({
      kind: "wait",
      delayMs: 30_000,
      code: "budget_exhausted",
    });
    expect(decideBudget(exhausted, policy, undefined, early, () => 0.999)).toMatchObject({ delayMs: 89_940 });
    // Two minutes before midnight: never past midnight plus a few seconds of spread.
    for (const r of [0, 0.5, 0.999]) {
      const d = decideBudget(exhausted, { ...policy, recheckMs: 600_000 }, undefined, NOW, () => r);
      expect(d.kind === "wait" && d.delayMs >= MIDNIGHT - NOW && d.delayMs < MIDNIGHT - NOW + 5_000).toBe(
        true,
      );
    }
  });

  it("dead-letters at once in dead-letter mode, and in wait mode once it has waited the most allowed", () => {
    expect(decideBudget(exhausted, { ...policy, onExhausted: "dead-letter" }, undefined, NOW)).toMatchObject({
      kind: "dead",
      code: "budget_exhausted",
    });
    const waitingSince = (at: number) => [
      { at: at - 5_000, code: "rate_limited" },
      { at, code: "budget_exhausted" },
      { at: at + 10, code: "budget_held" },
    ];
    expect(decideBudget(exhausted, policy, waitingSince(NOW - 3_599_000), NOW).kind).toBe("wait");
    const dead = decideBudget(held, policy, waitingSince(NOW - 3_600_000), NOW);
    expect(dead).toMatchObject({ kind: "dead", code: "budget_held" });
    expect(dead.kind === "dead" && dead.message).toContain("waited 3600 s");
  });
});

describe("the reservation of a call that failed", () => {
  let t: TestRedis;
  let guard: BudgetGuard;
  beforeEach(async () => {
    t = await createTestRedis();
    guard = createBudgetGuard({ redis: t.redis, prefix: t.prefix, config: { global: { dailyUsd: 10 } } });
  });
  afterEach(() => t.cleanup());

  const spentAfter = async (err: unknown) => {
    await endUnanswered(await guard.reserve(MERCHANT, 100), err);
    const [status] = await guard.status();
    expect(status!.reservedUsd).toBe(0);
    return status!.spentUsd;
  };

  it("is released when nothing was billed: an open circuit, a 429, a 5xx, a refused connection", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(await spentAfter(new CircuitOpenError(Date.now() + 1_000, Date.now()))).toBe(0);
    expect(await spentAfter(new RateLimited("app", { httpStatus: 429 }))).toBe(0);
    expect(await spentAfter(new UpstreamError("boom", { httpStatus: 503 }))).toBe(0);
    expect(await spentAfter(new UpstreamError("cannot reach", { cause: refused }))).toBe(0);
  });

  it("exports the global budgets' limit, spent and reserved as gauges read at scrape time", async () => {
    const both = createBudgetGuard({
      redis: t.redis,
      prefix: t.prefix,
      config: { global: { dailyUsd: 10, monthlyUsd: 200 }, perMerchant: { dailyUsd: 1 } },
    });
    const metrics = createWorkerMetrics({
      breaker: createCircuitBreaker(),
      limiter: createCallRateLimiter({ redis: t.redis, prefix: t.prefix }),
      defaultMetrics: false,
    });
    metrics.watchBudgets(() => both.status());
    await (await both.reserve(MERCHANT, 10)).billed("0.0420");
    await both.reserve(MERCHANT, 100);
    const text = await metrics.registry.metrics();
    expect(text).toContain('riskq_budget_limit_usd{period="day"} 10');
    expect(text).toContain('riskq_budget_limit_usd{period="month"} 200');
    expect(text).toContain('riskq_budget_spent_usd{period="day"} 0.042');
    expect(text).toContain('riskq_budget_reserved_usd{period="month"} 0.42');
    // The merchant's own budget has no series: a label per merchant would have no bound.
    expect(text).not.toContain('riskq_budget_limit_usd{period="day"} 1\n');
  });

  it("keeps its worst-case estimate when the call may have been billed: a timeout, a lost connection, an unreadable 200", async () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(await spentAfter(new Timeout("batch predict", 5_000))).toBeCloseTo(0.42, 6);
    expect(await spentAfter(new UpstreamError("cannot reach", { cause: reset }))).toBeCloseTo(0.84, 6);
    expect(await spentAfter(new ResponseInvalid("not JSON", { httpStatus: 200 }))).toBeCloseTo(1.26, 6);
  });
});

describe("budget alerts and variables", () => {
  it("names the budget, the period and what the jobs do", () => {
    const crossing = {
      budget: { scope: "global" as const, period: "day" as const, limitUsd: 5 },
      name: "global daily budget",
      period: { kind: "day" as const, id: "2026-05-12", start: MIDNIGHT - 86_400_000, end: MIDNIGHT },
      spentUsd: 4.9912,
      limitUsd: 5,
    };
    expect(budgetThresholdAlert({ ...crossing, thresholdPct: 80 }, "wait")).toEqual({
      kind: "budget_threshold",
      group: "global daily budget",
      subject: "global daily budget",
      reason: "80%",
      key: "global daily budget|2026-05-12|80",
      message: "80% of the global daily budget for 2026-05-12 (UTC) is spent: $4.9912 of $5.0000",
    });
    const out = budgetThresholdAlert({ ...crossing, thresholdPct: 100 }, "dead-letter");
    expect(out.reason).toBe("exhausted");
    expect(out.message).toBe(
      "the global daily budget for 2026-05-12 (UTC) is exhausted: $4.9912 of $5.0000 spent, less than one " +
        "call's worst case left; calls stop until 2026-05-13T00:00:00.000Z and jobs dead-letter as budget_exhausted",
    );
  });

  it("reads the budget variables (unset: no budget; bad overrides refused by name)", () => {
    const base = { RISKQ_CALLBACK_SECRET: "x".repeat(32) };
    const none = parseConfig(workerEnv, base);
    expect(none.RISKQ_BUDGET_EXHAUSTED).toBe("wait");
    expect(budgetConfigOf(none)).toEqual({
      global: { dailyUsd: undefined, monthlyUsd: undefined },
      perMerchant: { dailyUsd: undefined, monthlyUsd: undefined },
      merchants: {},
    });
    const set = parseConfig(workerEnv, {
      ...base,
      RISKQ_BUDGET_DAILY_USD: "50",
      RISKQ_BUDGET_MONTHLY_USD: "1000.5",
      RISKQ_BUDGET_MERCHANT_DAILY_USD: "5",
      RISKQ_BUDGET_MERCHANTS: `${MERCHANT}=20/none`,
      RISKQ_BUDGET_EXHAUSTED: "dead-letter",
    });
    expect(budgetConfigOf(set)).toEqual({
      global: { dailyUsd: 50, monthlyUsd: 1000.5 },
      perMerchant: { dailyUsd: 5, monthlyUsd: undefined },
      merchants: { [MERCHANT]: { dailyUsd: 20, monthlyUsd: null } },
    });
    expect(() => parseConfig(workerEnv, { ...base, RISKQ_BUDGET_MERCHANTS: `${MERCHANT}=20` })).toThrow(
      /RISKQ_BUDGET_MERCHANTS must be <merchant>=<daily>\/<monthly>/,
    );
    expect(() => parseConfig(workerEnv, { ...base, RISKQ_BUDGET_EXHAUSTED: "drop" })).toThrow(
      /RISKQ_BUDGET_EXHAUSTED/,
    );
  });
});

import {
  type BudgetConfig,
  type BudgetCrossing,
  BudgetExhausted,
  type BudgetGuardOptions,
  createBudgetGuard,
  parseMerchantBudgets,
} from "@riskq/cost";
import { createTestRedis, type TestRedis } from "@riskq/testing";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const MERCHANT = "2088000000000001";
const OTHER = "2088000000000002";
/** Worst case at the published prices: 0.01 per call + 0.0041 per item. */
const worst = (items: number) => 0.01 + items * 0.0041;

let t: TestRedis;
let clock: number;
const extra: Redis[] = [];

beforeEach(async () => {
  t = await createTestRedis();
  clock = Date.UTC(2026, 4, 12, 10, 0, 0);
});
afterEach(async () => {
  await Promise.all(extra.splice(0).map((r) => r.quit()));
  await t.cleanup();
});

function guard(config: BudgetConfig, more: Partial<BudgetGuardOptions> = {}) {
  return createBudgetGuard({ redis: t.redis, prefix: t.prefix, config, now: () => clock, ...more });
}

/** Another connection, as another worker process would have. */
function connection(): Redis {
  const redis = new Redis({ lazyConnect: false, maxRetriesPerRequest: 1 });
  extra.push(redis);
  return redis;
}

async function refusal(promise: Promise<unknown>): Promise<BudgetExhausted> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BudgetExhausted);
  return err as BudgetExhausted;
}

describe("budget reservations (Lua, real Redis)", () => {
  it("concurrent reservations from several connections never hold more than the budget", async () => {
    const config = { global: { dailyUsd: 1 } };
    const guards = [0, 1, 2].map(() => createBudgetGuard({ redis: connection(), prefix: t.prefix, config }));
    // 60 batches of 10 race for $1: each worst case is $0.051, so exactly 19 fit.
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => guards[i % 3]!.reserve(MERCHANT, 10)),
    );
    const granted = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(granted).toHaveLength(Math.floor(1 / worst(10)));
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(BudgetExhausted);
      // Held, not exhausted: nothing is spent yet, the reservations hold it.
      expect((r.reason as BudgetExhausted).exhausted).toBe(false);
    }
    const [status] = await guards[0]!.status();
    expect(status!.spentUsd).toBe(0);
    expect(status!.reservedUsd).toBeCloseTo(19 * worst(10), 6);
    expect(status!.reservedUsd).toBeLessThanOrEqual(1);
  });

  it("settles to the bill, releases what was never billed, keeps the estimate when unknown; twice is once", async () => {
    const g = guard({ global: { dailyUsd: 10 } });
    const a = await g.reserve(MERCHANT, 100);
    const b = await g.reserve(MERCHANT, 100);
    const c = await g.reserve(MERCHANT, 100);
    expect((await g.status())[0]!.reservedUsd).toBeCloseTo(3 * worst(100), 6);

    await a.billed("0.0420");
    await a.billed("0.0420");
    await b.release();
    await c.keep();
    await c.release(); // already ended: no effect
    const [status] = await g.status();
    expect(status!.spentUsd).toBeCloseTo(0.042 + worst(100), 6);
    expect(status!.reservedUsd).toBe(0);
  });

  it("cuts a batch to what is left, and refuses as exhausted when not even one item fits", async () => {
    const g = guard({ global: { dailyUsd: 1 } });
    const first = await g.reserve(MERCHANT, 100);
    expect(first.items).toBe(100);
    expect(first.rest).toBeUndefined();
    await first.billed("0.9000"); // $0.10 left: 0.01 + 21 × 0.0041 = 0.0961 fits, 22 items do not

    const cut = await g.reserve(MERCHANT, 100);
    expect(cut.items).toBe(21);
    expect(cut.rest?.exhausted).toBe(false);
    // While the cut call is in flight, a second call is held back, not refused for good.
    const held = await refusal(g.reserve(MERCHANT, 5));
    expect(held.exhausted).toBe(false);
    expect(held.code).toBe("budget_held");
    await cut.billed("0.0900"); // $0.01 left: less than one item's worst case ($0.0141)

    const out = await refusal(g.reserve(MERCHANT, 1));
    expect(out.exhausted).toBe(true);
    expect(out.code).toBe("budget_exhausted");
    expect(out.budgets).toEqual(["global daily budget"]);
    expect(out.resetsAt).toBe(Date.UTC(2026, 4, 13));
    expect((await g.status())[0]!.spentUsd).toBeCloseTo(0.99, 6);
  });

  it("frees a daily budget at midnight UTC, and a monthly one only at the month's end", async () => {
    clock = Date.UTC(2026, 4, 31, 23, 59, 59, 900);
    const g = guard({ global: { dailyUsd: 0.6, monthlyUsd: 1 } });
    const r = await g.reserve(MERCHANT, 10);
    await r.billed("0.5900");
    expect((await refusal(g.reserve(MERCHANT, 1))).resetsAt).toBe(Date.UTC(2026, 5, 1));

    clock = Date.UTC(2026, 5, 1, 0, 0, 0, 0);
    // A new month too: both budgets start over.
    const next = await g.reserve(MERCHANT, 10);
    expect(next.items).toBe(10);
    await next.billed("0.4900");
    const statuses = await g.status();
    expect(statuses.map((s) => [s.period.id, s.spentUsd])).toEqual([
      ["2026-06-01", 0.49],
      ["2026-06", 0.49],
    ]);

    // Next day: the daily budget is new ($0.60), but the month has only $0.51 left.
    clock = Date.UTC(2026, 5, 2, 12, 0, 0);
    const third = await g.reserve(MERCHANT, 10);
    await third.billed("0.5000");
    const monthOut = await refusal(g.reserve(MERCHANT, 1));
    expect(monthOut.budgets).toEqual(["global monthly budget"]);
    expect(monthOut.resetsAt).toBe(Date.UTC(2026, 6, 1));
    clock = Date.UTC(2026, 5, 3, 12, 0, 0);
    await refusal(g.reserve(MERCHANT, 1));
    clock = Date.UTC(2026, 6, 1, 0, 0, 1);
    expect((await g.reserve(MERCHANT, 1)).items).toBe(1);
  });

  it("counts the estimate of a reservation its worker never ended as spent, and corrects it on a late bill", async () => {
    const g = guard({ global: { dailyUsd: 1 } }, { reservationTtlMs: 5_000 });
    const lost = await g.reserve(MERCHANT, 100); // its worker "dies" mid-call
    clock += 6_000;
    const other = await g.reserve(MERCHANT, 1);
    let [status] = await g.status();
    expect(status!.spentUsd).toBeCloseTo(worst(100), 6);
    expect(status!.reservedUsd).toBeCloseTo(worst(1), 6);

    await lost.billed("0.0500"); // it answered after all
    await other.release();
    [status] = await g.status();
    expect(status!.spentUsd).toBeCloseTo(0.05, 6);
    expect(status!.reservedUsd).toBe(0);
  });

  it("keeps merchant budgets apart, with overrides, under the global one", async () => {
    const g = guard({
      global: { dailyUsd: 5 },
      perMerchant: { dailyUsd: 0.1 },
      merchants: { [OTHER]: { dailyUsd: 1 } },
    });
    const a = await g.reserve(MERCHANT, 10);
    await a.billed("0.0900");
    const out = await refusal(g.reserve(MERCHANT, 1));
    expect(out.budgets).toEqual([`daily budget of merchant ${MERCHANT}`]);
    expect(await g.isExhausted(MERCHANT)).toBe(true);
    // The other merchant has its own, larger budget.
    expect(await g.isExhausted(OTHER)).toBe(false);
    const b = await g.reserve(OTHER, 100);
    expect(b.items).toBe(100);
    await b.billed("0.5000");
    expect((await g.status(OTHER)).map((s) => [s.name, s.spentUsd])).toEqual([
      ["global daily budget", 0.59],
      [`daily budget of merchant ${OTHER}`, 0.5],
    ]);

    // A merchant whose limit is lifted (`none`) is bounded by the global budget only.
    const free = guard({
      global: { dailyUsd: 0.6 },
      perMerchant: { dailyUsd: 0.01 },
      merchants: { [OTHER]: { dailyUsd: null } },
    });
    const globalOut = await refusal(free.reserve(OTHER, 1));
    expect(globalOut.budgets).toEqual(["global daily budget"]);
  });

  it("answers isExhausted from memory for a second, then from Redis", async () => {
    const g = guard({ global: { dailyUsd: 0.1 } });
    const other = guard({ global: { dailyUsd: 0.1 } });
    expect(await g.isExhausted(MERCHANT)).toBe(false);
    const r = await other.reserve(MERCHANT, 10);
    await r.billed("0.0900");
    clock += 500;
    expect(await g.isExhausted(MERCHANT)).toBe(false);
    clock += 600;
    expect(await g.isExhausted(MERCHANT)).toBe(true);
    expect((await g.exhaustion(MERCHANT))?.resetsAt).toBe(Date.UTC(2026, 4, 13));
  });
});

describe("budget thresholds", () => {
  it("reports 80 %, 90 % and exhausted once per budget and period, whichever worker crosses them", async () => {
    const seen: BudgetCrossing[] = [];
    const config = { global: { dailyUsd: 1 } };
    const onCrossing = (c: BudgetCrossing) => seen.push(c);
    const workers = [0, 1, 2].map(() =>
      createBudgetGuard({ redis: connection(), prefix: t.prefix, config, now: () => clock, onCrossing }),
    );
    const spend = async (i: number, usd: string) => (await workers[i % 3]!.reserve(MERCHANT, 1)).billed(usd);
    await spend(0, "0.7000");
    expect(seen).toEqual([]);
    await Promise.all([spend(1, "0.0600"), spend(2, "0.0600")]); // 0.82: 80 % once
    expect(seen.map((c) => c.thresholdPct)).toEqual([80]);
    await Promise.all([spend(0, "0.0500"), spend(1, "0.0500"), spend(2, "0.0500")]); // 0.97: 90 %
    expect(seen.map((c) => c.thresholdPct)).toEqual([80, 90]);
    await spend(0, "0.0200"); // 0.99: less than $0.0141 left, exhausted
    await refusal(workers[1]!.reserve(MERCHANT, 1));
    await refusal(workers[2]!.reserve(MERCHANT, 1));
    expect(seen.map((c) => c.thresholdPct)).toEqual([80, 90, 100]);
    expect(seen[2]).toMatchObject({ name: "global daily budget", limitUsd: 1, period: { id: "2026-05-12" } });
    expect(seen[2]!.spentUsd).toBeCloseTo(0.99, 6);

    // A new day is a new period: its thresholds are news again.
    clock = Date.UTC(2026, 4, 13, 0, 0, 1);
    await spend(0, "0.9000");
    expect(seen.map((c) => `${c.period.id}:${c.thresholdPct}`).slice(3)).toEqual([
      "2026-05-13:80",
      "2026-05-13:90",
    ]);
  });
});

describe("RISKQ_BUDGET_MERCHANTS", () => {
  it("reads <merchant>=<daily>/<monthly> with empty (default) and none (no limit)", () => {
    expect(parseMerchantBudgets(` ${MERCHANT}=5/100, ${OTHER}=/40,2088000000000003=none/none,`)).toEqual({
      ok: true,
      value: {
        [MERCHANT]: { dailyUsd: 5, monthlyUsd: 100 },
        [OTHER]: { monthlyUsd: 40 },
        "2088000000000003": { dailyUsd: null, monthlyUsd: null },
      },
    });
    expect(parseMerchantBudgets("")).toEqual({ ok: true, value: {} });
    for (const bad of [
      `${MERCHANT}=5`,
      `${MERCHANT}=five/1`,
      `${MERCHANT}=-1/`,
      "=1/2",
      `${MERCHANT}=1e9/`,
    ]) {
      expect(parseMerchantBudgets(bad).ok, bad).toBe(false);
    }
  });
});

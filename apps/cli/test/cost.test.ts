/** `riskq cost report|simulate` against a real Redis ledger, as child processes. */
import type { Billing } from "@riskq/contracts";
import {
  type AnsweredCall,
  readRecordedTraffic,
  recordAnsweredCall,
  recordLostCall,
  simulateMonthlyBill,
  usdOf,
  utcDayOf,
} from "@riskq/cost";
import { cliRunner, createTestRedis, type TestRedis } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const runCli = cliRunner(process.env);

const A = "2088000000000001";
const B = "2088000000000002";
const TASK = "card_risk";
const MODEL = "risk-v3-2026-11";
const DAY_MS = 86_400_000;
/** Two fixed days (UTC); the commands are given them (`simulate` would read the last 30 days). */
const NOW = Date.parse("2026-11-20T12:00:00Z");
const TODAY = utcDayOf(NOW);
const YESTERDAY = utcDayOf(NOW - DAY_MS);
const BOTH_DAYS = ["--from", YESTERDAY, "--to", TODAY];

let testRedis: TestRedis;
let env: Record<string, string>;

const billing = (items: number, flagged: number): Billing => ({
  call_fee: "0.0100",
  item_fees: usdOf(items),
  review_fees: usdOf(40 * flagged),
  total: usdOf(100 + items + 40 * flagged),
  currency: "USD",
});

/** A full call of 100 items for `merchantId`; `high` of them score 0.75 (flagged at 0.7), 50 score 0.65. */
function fullCall(merchantId: string, high: number): AnsweredCall {
  const confidences = [
    ...new Array<number>(high).fill(0.75),
    ...new Array<number>(50).fill(0.65),
    ...new Array<number>(50 - high).fill(0.2),
  ];
  return {
    merchantId,
    task: TASK,
    modelVersion: MODEL,
    billing: billing(100, high),
    itemsSent: 100,
    scored: confidences.map((confidence) => ({ confidence, flagged: confidence >= 0.7 })),
    capBound: true,
  };
}

beforeAll(async () => {
  testRedis = await createTestRedis({ url: process.env.REDIS_URL });
  env = { REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", RISKQ_PREFIX: testRedis.prefix };
  const { redis, prefix } = testRedis;
  for (let i = 0; i < 3; i++) await recordAnsweredCall(redis, { prefix, now: NOW - DAY_MS }, fullCall(A, 4));
  await recordAnsweredCall(redis, { prefix, now: NOW }, fullCall(A, 6));
  await recordAnsweredCall(redis, { prefix, now: NOW }, fullCall(B, 2));
  // A call of B whose answer was lost: booked as an estimate (B's flagged share so far is 2 %).
  await recordLostCall(
    redis,
    { prefix, now: NOW },
    {
      merchantId: B,
      task: TASK,
      modelVersion: MODEL,
      itemsSent: 50,
      capBound: false,
    },
  );
});
afterAll(async () => {
  await testRedis?.cleanup();
});

describe("cost report", () => {
  it("prints spend per day, merchant, task and model, estimates marked and kept apart", async () => {
    const [json, human, onlyB, onlyYesterday] = await Promise.all([
      runCli(["cost", "report", "--json"], { env }),
      runCli(["cost", "report"], { env }),
      runCli(["cost", "report", "--merchant", B, "--json"], { env }),
      runCli(["cost", "report", "--from", YESTERDAY, "--to", YESTERDAY, "--json"], { env }),
    ]);

    expect(json.code).toBe(0);
    const view = json.json<{ rows: Array<Record<string, unknown>>; total: Record<string, unknown> }>();
    expect(view.rows.map((r) => [r.day, r.merchant_id])).toEqual([
      [YESTERDAY, A],
      [TODAY, A],
      [TODAY, B],
    ]);
    expect(view.rows[0]).toMatchObject({
      task: TASK,
      model_version: MODEL,
      calls: 3,
      items: 300,
      flagged: 12,
      call_fees_usd: "0.0300",
      item_fees_usd: "0.0300",
      review_fees_usd: "0.0480",
      billed_usd: "0.1080",
      estimated: null,
      total_usd: "0.1080",
    });
    // 50 items × the row's 2 % flagged share = 1 expected flagged item.
    expect(view.rows[2]).toMatchObject({
      billed_usd: "0.0280",
      estimated: {
        calls: 1,
        items: 50,
        flagged: 1,
        call_fees_usd: "0.0100",
        item_fees_usd: "0.0050",
        review_fees_usd: "0.0040",
        total_usd: "0.0190",
      },
      total_usd: "0.0470",
    });
    expect(view.total).toMatchObject({ calls: 5, billed_usd: "0.1800", total_usd: "0.1990" });

    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^DAY\s+MERCHANT\s+TASK\s+MODEL\s+CALLS/m);
    expect(human.stdout).toContain("0.0470 (~0.0190 est.)");
    expect(human.stdout).toContain("1 + ~1");
    expect(human.stdout).toContain("Total 0.1990 (~0.0190 est.) USD over 2 days, 6 calls.");
    expect(human.stdout).toContain("~ estimated: 1 call whose answer was lost");

    expect(onlyB.json<{ rows: unknown[] }>().rows).toHaveLength(1);
    expect(onlyYesterday.json<{ total: { total_usd: string } }>().total.total_usd).toBe("0.1080");
  });

  it("an empty selection is no error; bad days and merchants are usage errors", async () => {
    const [empty, badDay, reversed, badMerchant] = await Promise.all([
      runCli(["cost", "report", "--from", "2001-01-01", "--to", "2001-01-31"], { env }),
      runCli(["cost", "report", "--from", "2026-02-30"], { env }),
      runCli(["cost", "report", "--from", TODAY, "--to", YESTERDAY], { env }),
      runCli(["cost", "report", "--merchant", "acme"], { env }),
    ]);

    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain("No calls booked");
    for (const run of [badDay, reversed, badMerchant]) expect(run.code).toBe(2);
    expect(badDay.stderr).toContain("--from must be a day written YYYY-MM-DD");
    expect(reversed.stderr).toContain("--from is after --to");
    expect(badMerchant.stderr).toContain("--merchant must be a merchant id");
  });
});

describe("cost simulate", () => {
  it("prints the projected monthly bill for the settings next to the recorded one", async () => {
    const [json, human] = await Promise.all([
      runCli(
        [
          "cost",
          "simulate",
          "--threshold",
          "0.6",
          "--batch",
          "50",
          "--prefilter",
          "off",
          ...BOTH_DAYS,
          "--json",
        ],
        {
          env,
        },
      ),
      runCli(["cost", "simulate", "--threshold", "0.6", "--batch", "50", ...BOTH_DAYS], { env }),
    ]);
    // What the CLI must print: the simulator on the same recorded days.
    const recorded = await readRecordedTraffic(testRedis.redis, testRedis.prefix, {
      from: YESTERDAY,
      to: TODAY,
    });
    const expected = simulateMonthlyBill(recorded, { threshold: 0.6, batchSize: 50, prefilter: "off" });

    expect(json.code).toBe(0);
    const view = json.json<Record<string, unknown>>();
    expect(view).toMatchObject({
      days: [YESTERDAY, TODAY],
      month_days: 30,
      scale: 15,
      settings: { threshold: 0.6, batchSize: 50, prefilter: "off" },
      current: { total_usd: usdOf(expected.monthly.current.totalUnits) },
      proposed: { total_usd: usdOf(expected.monthly.proposed.totalUnits) },
    });
    // Recorded: 6 calls, 0.1990 USD in 2 days → 2.9850 a month. At 0.6 every 0.65 flags too; at
    // batch 50 each full call of 100 is two.
    expect(view.current).toMatchObject({ calls: 90, total_usd: "2.9850" });
    expect(view.proposed).toMatchObject({ calls: 165, flagged: 4_050 });
    expect(view.change_percent).toBeGreaterThan(100);

    expect(human.code).toBe(0);
    expect(human.stdout).toContain("Per month (30 days), from 2 recorded days");
    expect(human.stdout).toMatch(/^\s+CURRENT \(RECORDED\)\s+PROPOSED$/m);
    expect(human.stdout).toMatch(/^threshold\s+as recorded\s+0\.6$/m);
    expect(human.stdout).toMatch(
      new RegExp(
        `^total USD\\s+2\\.9850\\s+${usdOf(expected.monthly.proposed.totalUnits).replace(".", "\\.")} \\(\\+\\d+(\\.\\d)?%\\)$`,
        "m",
      ),
    );
  });

  it("refuses settings out of the contract's range (exit 2) and says when nothing was recorded (exit 1)", async () => {
    const [threshold, batch, prefilter, nothing] = await Promise.all([
      runCli(["cost", "simulate", "--threshold", "0.99"], { env }),
      runCli(["cost", "simulate", "--batch", "101"], { env }),
      runCli(["cost", "simulate", "--prefilter", "maybe"], { env }),
      runCli(["cost", "simulate", "--threshold", "0.6", "--to", "2001-01-31", "--json"], { env }),
    ]);

    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain("--threshold must be a number from 0.05 to 0.95");
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain("--batch must be a whole number from 1 to 100");
    expect(prefilter.code).toBe(2);
    expect(prefilter.stderr).toContain("--prefilter must be on or off");
    expect(nothing.code).toBe(1);
    expect(nothing.json()).toMatchObject({ error: "no_traffic" });
    expect(nothing.stderr).toContain("no traffic recorded");
  });
});

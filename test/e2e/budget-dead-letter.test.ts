/**
 * Per-merchant budgets in dead-letter mode, three worker processes: merchant A has a per-merchant
 * daily budget of $0.10, merchant B's is lifted (RISKQ_BUDGET_MERCHANTS "<B>=none/").
 * A's jobs beyond its budget must dead-letter as `budget_exhausted` and A's bill stay within its
 * budget; none of B's jobs may be stopped by A's budget.
 */
import type { ScoreJobData, ScoreJobResult } from "@riskq/contracts";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetAlerts } from "./support/budget-alerts";
import { collectOutcomes, formatOutcomes } from "./support/job-outcomes";
import { chunks, scoreRequests, testMerchants } from "./support/score-traffic";
import { waitUntilSettled } from "./support/settle";
import { type Stack, startStack } from "./support/stack";

const SEED = 53;
/**
 * Well under what A's jobs cost however they are batched (the call fee dominates): $0.16–0.25 in
 * runs here; at $0.25 (the default budget) a run whose batches were fuller never exhausted it.
 */
const MERCHANT_BUDGET_USD = 0.1;
const JOBS = 1_200;
const LIFTED = { app_qps: 2_000, app_burst: 2_000, batch_qps: 1_000, batch_burst: 1_000 };
const [A, B] = testMerchants(SEED, 2).map((m) => m.merchant_id) as [string, string];

const log = (line: string) => process.stdout.write(`[budget-dead-letter] ${line}\n`);

describe("per-merchant budgets, dead-letter mode", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      workers: 3,
      workerEnv: {
        RISKQ_BUDGET_MERCHANT_DAILY_USD: String(MERCHANT_BUDGET_USD),
        RISKQ_BUDGET_MERCHANTS: `${B}=none/`,
        RISKQ_BUDGET_EXHAUSTED: "dead-letter",
        BATCH_CAP: "20",
        WORKER_CONCURRENCY: "100",
        ALIPAY_INITIAL_RATE: "50",
      },
      sandbox: { seed: SEED },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("dead-letters the over-budget merchant's jobs as budget_exhausted and leaves the other alone", async () => {
    const { sandbox, api, scoreQueue, deadQueue, testRedis, prefix } = stack;
    await sandbox.control.faults({ rate_limits: LIFTED });
    const merchants = testMerchants(SEED, 2);
    await stack.onboardMerchants([A, B]);
    const before = await sandbox.control.ledger();
    const ids: string[] = [];
    for (const batch of chunks(scoreRequests({ seed: SEED, merchants, count: JOBS }), 1_000)) {
      ids.push(...(await api.enqueueBatch(batch)).map((j) => j.id));
    }
    await waitUntilSettled(scoreQueue, deadQueue, JOBS, { timeoutMs: 25_000 });
    const outcomes = await collectOutcomes(scoreQueue, deadQueue, ids);
    log(formatOutcomes(outcomes));
    expect(outcomes.lost).toEqual([]);
    expect(outcomes.unmatchedDeaths).toEqual([]);
    expect(outcomes.completed + outcomes.dead).toBe(JOBS);
    expect(Object.keys(outcomes.deadReasons)).toEqual(["budget_exhausted"]);

    const completed = (await scoreQueue.getCompleted(0, -1)) as Job<ScoreJobData, ScoreJobResult>[];
    const billedOf = (merchant: string) =>
      completed
        .filter((j) => j.data.request.merchant_id === merchant)
        .reduce((sum, j) => sum + (j.returnvalue?.cost_usd ?? 0), 0);
    const letters = await deadQueue.getJobs(["waiting"], 0, -1);
    const deadOf = (merchant: string) => letters.filter((l) => l.id?.startsWith(`${merchant}-`)).length;
    const billedA = billedOf(A);
    const ledger = await sandbox.control.ledger();
    log(
      `merchant A: budget $${MERCHANT_BUDGET_USD}, billed $${billedA.toFixed(4)} ` +
        `(${((billedA / MERCHANT_BUDGET_USD) * 100).toFixed(1)}%), ${deadOf(A)} dead; merchant B: ` +
        `billed $${billedOf(B).toFixed(4)}, ${deadOf(B)} dead; sandbox billed $${(ledger.cost_usd - before.cost_usd).toFixed(4)} in all`,
    );

    // The results' costs are the bills split over their items (rounded to 1e-8 each).
    expect(billedA + billedOf(B)).toBeCloseTo(ledger.cost_usd - before.cost_usd, 4);
    expect(billedA).toBeLessThanOrEqual(MERCHANT_BUDGET_USD + 1e-5);
    // Not stopped early (room for one timed-out call whose worst case stays counted).
    expect(billedA).toBeGreaterThanOrEqual(MERCHANT_BUDGET_USD * 0.6);
    expect(deadOf(A)).toBeGreaterThan(0);
    expect(deadOf(B)).toBe(0);
    expect(outcomes.dead).toBe(deadOf(A));

    const alerts = await budgetAlerts(testRedis.redis, prefix);
    expect(alerts.filter((a) => a.reason === "exhausted").map((a) => a.subject)).toEqual([
      `daily budget of merchant ${A}`,
    ]);
    expect(alerts.find((a) => a.reason === "exhausted")?.message).toContain(
      "dead-letter as budget_exhausted",
    );
  }, 60_000);
});

/**
 * The budget guard under three worker processes (wait mode): far more traffic than a global daily
 * budget of $0.60 pays for, the sandbox's rate limits lifted so many calls are in flight at once.
 * The sandbox's own ledger must show no more than the budget billed (reservations of the worst case
 * make the budget a hard limit), most of it used, the rest of the jobs waiting (not dead-lettered),
 * and the 80 %, 90 % and exhausted alerts each published once across the three workers.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ScoreJobDataWithHistory } from "@riskq/pipeline";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetAlerts } from "./support/budget-alerts";
import { chunks, scoreRequests, testMerchants } from "./support/score-traffic";
import { formatCounts, queueCounts } from "./support/settle";
import { type Stack, startStack } from "./support/stack";

const BUDGET_USD = 0.6;
const BATCH_CAP = 20;
/** About twice what the budget pays for (a 20-item call bills about $0.016). */
const JOBS = 1_600;
/** Far above what three workers reach: the budget, not the rate, must be what stops them. */
const LIFTED = { app_qps: 2_000, app_burst: 2_000, batch_qps: 1_000, batch_burst: 1_000 };
/** The ledger must stand still this long (several re-checks of the waiting jobs) to count as stopped. */
const QUIET_MS = 3_000;

const log = (line: string) => process.stdout.write(`[budget] ${line}\n`);

describe("the budget guard under three worker processes", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      workers: 3,
      workerEnv: {
        RISKQ_BUDGET_DAILY_USD: String(BUDGET_USD),
        RISKQ_BUDGET_EXHAUSTED: "wait",
        RISKQ_BUDGET_RECHECK_MS: "1000",
        BATCH_CAP: String(BATCH_CAP),
        WORKER_CONCURRENCY: "100",
        ALIPAY_INITIAL_RATE: "50",
      },
      sandbox: { seed: 47 },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it("stops calling at the budget (never over it), the rest of the jobs wait, and 80/90/100 % are alerted once", async () => {
    const { sandbox, api, scoreQueue, deadQueue, testRedis, prefix } = stack;
    await sandbox.control.faults({ rate_limits: LIFTED });
    const merchants = testMerchants(47, 2);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    const before = await sandbox.control.ledger();
    for (const batch of chunks(scoreRequests({ seed: 47, merchants, count: JOBS }), 1_000)) {
      await api.enqueueBatch(batch);
    }

    // Stopped: the budget is reported exhausted and nothing has been billed for a while.
    const deadline = Date.now() + 25_000;
    let cost = -1;
    let quietSince = Date.now();
    for (;;) {
      const now = (await sandbox.control.ledger()).cost_usd - before.cost_usd;
      if (now !== cost) {
        cost = now;
        quietSince = Date.now();
      }
      const exhausted = (await budgetAlerts(testRedis.redis, prefix)).some((a) => a.reason === "exhausted");
      if (exhausted && Date.now() - quietSince >= QUIET_MS) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the workers did not stop: $${cost.toFixed(4)} billed, ${formatCounts(await queueCounts(scoreQueue, deadQueue))}`,
        );
      }
      await sleep(250);
    }

    const counts = await queueCounts(scoreQueue, deadQueue);
    const ledger = await sandbox.control.ledger();
    const billed = ledger.cost_usd - before.cost_usd;
    log(
      `budget $${BUDGET_USD.toFixed(4)}, sandbox billed $${billed.toFixed(4)} ` +
        `(${((billed / BUDGET_USD) * 100).toFixed(1)}%, overshoot $${(billed - BUDGET_USD).toFixed(4)}) ` +
        `in ${ledger.calls - before.calls} calls, ${ledger.items - before.items} items`,
    );
    log(formatCounts(counts));

    // Never over the budget (a little slack for float sums), and not stopped early: it counts as
    // exhausted once less than a one-item call's worst case ($0.0141) is left. The floor leaves room
    // for a call whose bill was unknown (a timeout keeps its worst case, $0.092 here, counted).
    expect(billed).toBeLessThanOrEqual(BUDGET_USD + 1e-9);
    expect(billed).toBeGreaterThanOrEqual(BUDGET_USD * 0.8);

    // The jobs the budget did not pay for wait (wait mode): none dead, none lost.
    expect(counts.deadLetters).toBe(0);
    expect(counts.failed).toBe(0);
    expect(counts.completed).toBeGreaterThan(0);
    expect(counts.completed).toBeLessThan(JOBS);
    expect(counts.completed + counts.delayed + counts.waiting + counts.active + counts.prioritized).toBe(
      JOBS,
    );
    const delayed = (await scoreQueue.getDelayed(0, 50)) as Job<ScoreJobDataWithHistory>[];
    expect(delayed.length).toBeGreaterThan(0);
    for (const job of delayed) expect(job.data.history?.at(-1)?.code).toBe("budget_exhausted");

    // One alert per threshold, whichever worker crossed it.
    const alerts = await budgetAlerts(testRedis.redis, prefix);
    for (const a of alerts) log(`alert: ${a.message}`);
    expect(alerts.map((a) => a.reason).sort()).toEqual(["80%", "90%", "exhausted"]);
    for (const a of alerts) expect(a.subject).toBe("global daily budget");
  }, 60_000);
});

import { startAppProcess } from "@riskq/testing";
import { sharedAppEnv } from "../../e2e/support/app-env";
import { scoreRequests, testMerchants } from "../../e2e/support/score-traffic";
import { waitUntilSettled } from "../../e2e/support/settle";
import { type Stack, startStack } from "../../e2e/support/stack";

/** The `/metrics` page of each riskq process kind, as one real deployment serves them. */
export interface RiskqPages {
  api: string;
  worker: string;
  scheduler: string;
}

/**
 * Starts a real deployment (sandbox, API, one worker with a budget so its budget gauges exist, one
 * scheduler), scores a little traffic so the histograms and counters have samples, and scrapes the
 * three `/metrics` pages. Returns them and a stop function.
 */
export async function scrapeRiskqPages(): Promise<{ pages: RiskqPages; stop: () => Promise<void> }> {
  const stack: Stack = await startStack({
    workers: 1,
    workerEnv: { RISKQ_BUDGET_DAILY_USD: "1000", WORKER_KEY_PROBE_CRON: "off" },
    sandbox: { latencyProfile: "fast" },
  });
  let scheduler: Awaited<ReturnType<typeof startAppProcess>> | undefined;
  try {
    const merchants = testMerchants(7001, 1);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    scheduler = await startAppProcess({
      name: "scheduler",
      script: "apps/scheduler/src/main.ts",
      env: {
        ...sharedAppEnv({
          redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
          prefix: stack.prefix,
          secretKey: stack.secretKey,
          sandbox: stack.sandbox,
        }),
        SCHEDULER_METRICS_PORT: "0",
      },
      readyEvent: "scheduler-ready",
      startTimeoutMs: 40_000,
    });
    await stack.api.enqueueBatch(scoreRequests({ seed: 7001, merchants, count: 5 }));
    await waitUntilSettled(stack.scoreQueue, stack.deadQueue, 5);
    const page = async (url: string) => {
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
      return res.text();
    };
    const pages: RiskqPages = {
      api: await page(`${stack.api.url}/metrics`),
      worker: await page(String(stack.workers[0]!.ready.metrics)),
      scheduler: await page(String(scheduler.ready.metrics)),
    };
    const stopAll = async () => {
      await scheduler?.stop();
      await stack.stop();
    };
    return { pages, stop: stopAll };
  } catch (err) {
    await scheduler?.stop();
    await stack.stop();
    throw err;
  }
}

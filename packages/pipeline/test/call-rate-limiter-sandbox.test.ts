import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createAlipayClient } from "@riskq/alipay";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { REPO_ROOT } from "@riskq/testing";
import { useSandbox, useTestRedis } from "@riskq/testing/vitest";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { BucketSnapshot } from "../src/index";
import { jsonLines } from "./fixtures/json-lines";

const sandboxSuite = useSandbox();
const redisSuite = useTestRedis({ url: process.env.REDIS_URL });

const MODEL = "risk-v3-2026-11";
const WORKERS = 3;
const RUN_MS = 9_000;
const WARM_UP_MS = 3_000;
const DEFAULT_LIMITS = { app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 };
/** As in the recovery bench (test/bench/limiter-recovery.ts, which measures how fast). */
const STORM = { batch_qps: 1, batch_burst: 1 };
const STORM_MS = 3_000;
/** The storm starts once the batch rate held still this long (longer than learnedProofMs)… */
const HOLD_MS = 7_000;
/** …or after this long, when it never did (the test then fails on the learned rate). */
const SETTLE_DEADLINE_MS = 60_000;
/**
 * Generous: the return takes about a second on an idle machine (see the bench); this only
 * catches a limiter that stays down.
 */
const RECOVERY_DEADLINE_MS = 30_000;
/** How often the test reads the bucket's state from Redis. */
const SAMPLE_MS = 50;

interface CallerReport {
  calls: Array<[number, string]>;
  errors: string[];
  snapshot: Record<string, BucketSnapshot>;
}

describe("call-rate limiter against the sandbox's default limits", () => {
  it("three worker processes, never told the limits, run near 10 batch calls/s with few 429s", async () => {
    const callers = await startCallers(RUN_MS);
    try {
      const { started, reports } = await callers.run();
      const calls = reports.flatMap((r) => r.calls).filter(([t]) => t >= started + WARM_UP_MS);
      const measuredS = (RUN_MS - WARM_UP_MS) / 1000;
      const ok = calls.filter(([, outcome]) => outcome === "ok").length;
      const throttled = calls.filter(([, outcome]) => outcome === "app" || outcome === "method").length;
      const errors = reports.flatMap((r) => r.errors);
      const allCalls = reports.flatMap((r) => r.calls);
      const warmUp429 = allCalls.filter(
        ([t, o]) => t < started + WARM_UP_MS && o !== "ok" && o !== "error",
      ).length;
      const finalState = reports[0]!.snapshot["batch-predict"];
      console.log(
        [
          `after ${WARM_UP_MS / 1000} s warm-up, over ${measuredS} s: ${(ok / measuredS).toFixed(2)} accepted batch calls/s`,
          `(${((ok / measuredS / 10) * 100).toFixed(1)}% of the 10/s limit), 429 share ${((throttled / calls.length) * 100).toFixed(2)}%`,
          `(${throttled} of ${calls.length}); warm-up: ${warmUp429} 429s of ${allCalls.length - calls.length} calls;`,
          `final batch-predict rate ${finalState?.rate.toFixed(2)}/s, ceiling ${finalState?.ceiling?.toFixed(2)}/s;`,
          `app rate ${reports[0]!.snapshot.app?.rate.toFixed(2)}/s`,
        ].join(" "),
      );

      expect(errors).toEqual([]);
      expect(ok / measuredS).toBeGreaterThanOrEqual(6);
      expect(throttled / calls.length).toBeLessThanOrEqual(0.1);
    } finally {
      callers.kill();
    }
  }, 40_000);

  it("goes back to the rate it had learned once a 3 s storm at 1 batch call/s is over", async () => {
    const { control } = sandboxSuite.sandbox;
    const { redis, prefix } = redisSuite.redis;
    const bucket = async () => {
      const [rate, learned] = await redis.hmget(`${prefix}:call-rate:batch-predict`, "rate", "learned");
      return { rate: Number(rate ?? 0), learned: Number(learned ?? 0) };
    };
    const callers = await startCallers(SETTLE_DEADLINE_MS + STORM_MS + RECOVERY_DEADLINE_MS + 10_000);
    try {
      await callers.ready;
      const running = callers.run();
      // An outcome, not a time: the rate has found the limit and held still for a while.
      let settled = 0;
      let heldSince = Date.now();
      const settleBy = Date.now() + SETTLE_DEADLINE_MS;
      while (Date.now() < settleBy) {
        await sleep(SAMPLE_MS);
        const { rate } = await bucket();
        if (rate !== settled) {
          settled = rate;
          heldSince = Date.now();
        } else if (rate >= 5 && Date.now() - heldSince >= HOLD_MS) break;
      }
      await control.faults({ rate_limits: STORM });
      let lowest = settled;
      const stormUntil = Date.now() + STORM_MS;
      while (Date.now() < stormUntil) {
        await sleep(SAMPLE_MS);
        lowest = Math.min(lowest, (await bucket()).rate);
      }
      const storm = await control.ledger();
      await control.faults({ rate_limits: DEFAULT_LIMITS });
      const { learned } = await bucket();
      let back: number | undefined;
      const recoverBy = Date.now() + RECOVERY_DEADLINE_MS;
      while (back === undefined && Date.now() < recoverBy) {
        await sleep(SAMPLE_MS);
        const { rate } = await bucket();
        if (rate >= 0.95 * settled) back = rate;
      }
      callers.stop();
      const { reports } = await running;
      console.log(
        `settled at ${settled.toFixed(2)}/s, learned ${learned.toFixed(2)}/s, lowest in the storm ${lowest.toFixed(2)}/s, ` +
          `429s during the storm: ${storm.by_status["429"] ?? 0}; back at ${back?.toFixed(2) ?? "never"}/s ` +
          "(how fast: test/bench/limiter-recovery.ts)",
      );
      expect(reports.flatMap((r) => r.errors)).toEqual([]);
      expect(storm.by_status["429"] ?? 0).toBeGreaterThan(0);
      // The storm cut the rate far down; the rate held before it was remembered and regained.
      expect(lowest).toBeLessThan(0.6 * settled);
      expect(learned).toBeGreaterThanOrEqual(0.9 * settled);
      expect(back).toBeDefined();
    } finally {
      callers.kill();
    }
  }, 150_000);
});

/**
 * Onboards a merchant, then spawns WORKERS limited-caller processes that score for `runMs` once
 * `run()` says go; `run()` resolves with their reports.
 */
async function startCallers(runMs: number) {
  const { sandbox } = sandboxSuite;
  const { redis } = redisSuite;
  const secretKey = randomBytes(32);
  const merchant = generateMerchants({ seed: 7, count: 1 })[0]!;
  const items = generateTraffic({
    seed: 7,
    merchants: [merchant],
    count: 50,
    start: "2026-11-26T08:00:00Z",
  }).map((t) => t.item);

  // Onboard once and fetch the keys, so the workers' only calls are the scoring ones.
  const client = createAlipayClient({
    endpoint: sandbox.url,
    appId: sandbox.appId,
    appPrivateKey: sandbox.appPrivateKey,
    platformPublicKey: sandbox.platformPublicKey,
    redis: redis.redis,
    prefix: redis.prefix,
    secretKey,
    logger: pino({ level: "silent" }),
  });
  const { auth_code } = await sandbox.control.createMerchant(merchant.merchant_id);
  await client.onboardMerchant(merchant.merchant_id, auth_code);
  await client.fetchKeys();

  const env = {
    ...process.env,
    CALLER_MERCHANT_ID: merchant.merchant_id,
    CALLER_ITEMS: JSON.stringify(items),
    CALLER_DURATION_MS: String(runMs),
    CALLER_CONCURRENCY: "8",
    CALLER_PREFIX: redis.prefix,
    CALLER_REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    CALLER_ENDPOINT: sandbox.url,
    CALLER_APP_ID: sandbox.appId,
    CALLER_APP_PRIVATE_KEY: sandbox.appPrivateKey,
    CALLER_PLATFORM_PUBLIC_KEY: sandbox.platformPublicKey,
    CALLER_SECRET_KEY: secretKey.toString("base64"),
    CALLER_INITIAL_RATE: "5",
    CALLER_MODEL: MODEL,
  };
  const children = Array.from({ length: WORKERS }, () =>
    spawn(
      join(REPO_ROOT, "node_modules/.bin/tsx"),
      [join(REPO_ROOT, "packages/pipeline/test/fixtures/limited-caller.ts")],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ["pipe", "pipe", "pipe"],
      },
    ),
  );
  const outputs = children.map((child) => jsonLines(child, "caller"));
  const ready = Promise.all(outputs.map((o) => o.next("ready")));
  // Awaited by run(); a test that times its phases from the start awaits it first.
  ready.catch(() => {});
  return {
    /** Every caller has started (connected, loaded) and waits for "go". */
    ready: ready.then(() => undefined),
    async run(): Promise<{ started: number; reports: CallerReport[] }> {
      await ready;
      const started = Date.now();
      for (const child of children) child.stdin!.write("go\n");
      const reports = (await Promise.all(outputs.map((o) => o.next("done")))) as unknown as CallerReport[];
      return { started, reports };
    },
    /** Ends the callers' run early: each finishes its calls in flight and reports. */
    stop(): void {
      for (const child of children) child.stdin!.write("stop\n");
    },
    kill(): void {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

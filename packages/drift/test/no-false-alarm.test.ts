// The flatline detector's false-alarm rate on real healthy scores: the sandbox's model scores
// synthetic traffic, 10 000 windows are resampled from those scores, and no consecutive pair may
// read as a flatline. Then the model is retired (it keeps answering 200, at a constant 0.5) and two
// windows of its scores, stored and read back through Redis, must.
import { createRng, generateMerchants, generateTraffic, type LabelledItem } from "@riskq/synthetic";
import { createTestRedis, type SandboxProcess, startSandbox } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  driftReport,
  FLATLINE_THRESHOLDS,
  type FlatlineSignal,
  flatlineVerdict,
  isSpread,
  readRecentWindows,
  recordScores,
  summarize,
  type WindowSummary,
  windowOf,
} from "../src/index";
import { type MerchantScorers, MODEL, merchantScorers, scoreTraffic } from "./support/sandbox-scoring";

const SEED = 11;
const POOL_SIZE = 8_000;
const WINDOWS = 10_000;
const WINDOW_SIZE = { min: 200, max: 400 };

let sandbox: SandboxProcess;
let traffic: LabelledItem[];
let scorers: MerchantScorers;
let pool: number[];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: SEED });
  // Volume, not rate limiting, is under test here.
  await sandbox.control.faults({
    rate_limits: { app_qps: 10_000, app_burst: 10_000, batch_qps: 10_000, batch_burst: 10_000 },
  });
  const merchants = generateMerchants({ seed: SEED, count: 20 });
  // A fixed start keeps the hours of day (and so the score mix) the same on every run.
  traffic = generateTraffic({ seed: SEED, merchants, count: POOL_SIZE, start: "2026-11-20T06:00:00Z" });
  scorers = await merchantScorers(
    sandbox,
    merchants.map((m) => m.merchant_id),
  );
  pool = await scoreTraffic(scorers, traffic);
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
});

/** Extremes of each signal's measured value across windows, and how often each fired. */
function emptySignalStats() {
  return {
    minStdRatio: Number.POSITIVE_INFINITY,
    maxTopShare: 0,
    minDistinctRatio: Number.POSITIVE_INFINITY,
    minEntropy: Number.POSITIVE_INFINITY,
    maxSignalsInOneWindow: 0,
    fired: { std_ratio: 0, top_value_share: 0, distinct_ratio: 0, entropy: 0 } as Record<
      FlatlineSignal,
      number
    >,
  };
}

function fmt(n: number, digits = 4): string {
  return n.toFixed(digits);
}

describe("flatline detector on real healthy scores", () => {
  it("scored the whole pool with the healthy model", () => {
    expect(pool).toHaveLength(POOL_SIZE);
    expect(pool.every((c) => c >= 0 && c <= 1)).toBe(true);
    const summary = summarize(windowOf(pool));
    console.log(
      `healthy pool: n ${summary.n}, mean ${fmt(summary.mean)}, std ${fmt(summary.std)}, ` +
        `distinct ${summary.distinct}, top share ${fmt(summary.topValueShare)}, entropy20 ${fmt(summary.entropy20)}`,
    );
    // Spread enough that a collapse to a tenth of it (the std-ratio signal) is far from sampling noise.
    expect(summary.std).toBeGreaterThan(0.05);
    expect(summary.distinct).toBeGreaterThan(1_000);
  });

  it(`never says flatline across ${WINDOWS} resampled windows of ${WINDOW_SIZE.min}–${WINDOW_SIZE.max} scores`, () => {
    const reference = summarize(windowOf(pool));
    const referenceWindow = windowOf(pool);
    const rng = createRng(SEED);
    const stats = emptySignalStats();
    let previous: WindowSummary | undefined;
    let flatlines = 0;
    let decided = 0;
    const psiLevels = { ok: 0, warn: 0, alert: 0 };
    let maxPsi = 0;
    for (let w = 0; w < WINDOWS; w++) {
      const size = rng.int(WINDOW_SIZE.min, WINDOW_SIZE.max);
      const window = windowOf(Array.from({ length: size }, () => pool[rng.int(0, pool.length - 1)]!));
      const current = summarize(window);
      const verdict = flatlineVerdict(current, previous, reference);
      if (verdict.flatline) flatlines += 1;
      if (verdict.decided) decided += 1;
      const s = verdict.signals;
      stats.minStdRatio = Math.min(stats.minStdRatio, s.stdRatio ?? Number.POSITIVE_INFINITY);
      stats.maxTopShare = Math.max(stats.maxTopShare, s.topValueShare);
      stats.minDistinctRatio = Math.min(stats.minDistinctRatio, s.distinctRatio);
      stats.minEntropy = Math.min(stats.minEntropy, s.entropy);
      stats.maxSignalsInOneWindow = Math.max(stats.maxSignalsInOneWindow, s.fired.length);
      for (const name of s.fired) stats.fired[name] += 1;
      const report = driftReport(referenceWindow, window);
      psiLevels[report.level] += 1;
      maxPsi = Math.max(maxPsi, report.psi);
      previous = current;
    }
    console.log(
      [
        `${WINDOWS} healthy windows (bootstrap from ${pool.length} sandbox scores):`,
        `min std ratio ${fmt(stats.minStdRatio)} (fires < ${FLATLINE_THRESHOLDS.stdRatio}),`,
        `max top share ${fmt(stats.maxTopShare)} (> ${FLATLINE_THRESHOLDS.topValueShare}),`,
        `min distinct ratio ${fmt(stats.minDistinctRatio)} (< ${FLATLINE_THRESHOLDS.distinctRatio}),`,
        `min entropy20 ${fmt(stats.minEntropy)} (< ${FLATLINE_THRESHOLDS.entropy});`,
        `signals fired ${JSON.stringify(stats.fired)}, at most ${stats.maxSignalsInOneWindow} in one window;`,
        `flatline verdicts ${flatlines} of ${decided} decided;`,
        `PSI vs pool: max ${fmt(maxPsi)}, levels ${JSON.stringify(psiLevels)}`,
      ].join(" "),
    );
    // Every pair after the first window gets a verdict (N ≥ 200 throughout), and none is a flatline.
    expect(decided).toBe(WINDOWS);
    expect(flatlines).toBe(0);
    // Stronger than the verdict: no healthy window comes near two signals.
    expect(stats.maxSignalsInOneWindow).toBe(0);
  });

  it("windows cut in arrival order (hours of day, merchant mix as they come) never say flatline", () => {
    const reference = summarize(windowOf(pool));
    let previous: WindowSummary | undefined;
    const fired: string[] = [];
    let windows = 0;
    for (let start = 0; start + WINDOW_SIZE.max <= pool.length; start += WINDOW_SIZE.max) {
      const current = summarize(windowOf(pool.slice(start, start + WINDOW_SIZE.max)));
      const verdict = flatlineVerdict(current, previous, reference);
      expect(verdict.flatline).toBe(false);
      fired.push(...verdict.signals.fired);
      previous = current;
      windows += 1;
    }
    console.log(
      `${windows} arrival-order windows of ${WINDOW_SIZE.max}: signals fired ${JSON.stringify(fired)}`,
    );
    expect(windows).toBeGreaterThanOrEqual(15);
  });

  it("a retired model's scores, in two stored windows in a row, are a flatline the canary confirms", async () => {
    const reference = summarize(windowOf(pool));
    // The canary: one merchant's known-diverse items (all its fraud, then honest payments).
    const merchant = traffic.find((t) => t.is_fraud)!.item.merchant_id;
    const own = traffic.filter((t) => t.item.merchant_id === merchant);
    const canary = [
      ...own.filter((t) => t.is_fraud).slice(0, 10),
      ...own.filter((t) => !t.is_fraud).slice(0, 20),
    ];
    const healthyCanary = summarize(windowOf(await scoreTraffic(scorers, canary)));
    expect(isSpread(healthyCanary)).toBe(true);

    await sandbox.control.retireModel(MODEL);
    const retiredCanary = summarize(windowOf(await scoreTraffic(scorers, canary)));
    console.log(
      `canary (${canary.length} items): healthy std ${fmt(healthyCanary.std)}, ${healthyCanary.distinct} distinct;` +
        ` retired std ${fmt(retiredCanary.std)}, ${retiredCanary.distinct} distinct`,
    );
    expect(isSpread(retiredCanary)).toBe(false);

    const testRedis = await createTestRedis({ url: process.env.REDIS_URL });
    try {
      const windowMs = 60_000;
      const t0 = Date.parse("2026-11-20T06:00:00Z");
      const series = { prefix: testRedis.prefix, modelVersion: MODEL, task: "card_risk", windowMs };
      const first = await scoreTraffic(scorers, traffic.slice(0, 300));
      const second = await scoreTraffic(scorers, traffic.slice(300, 600));
      await recordScores(testRedis.redis, { ...series, now: t0 + 10_000 }, first);
      await recordScores(testRedis.redis, { ...series, now: t0 + windowMs + 10_000 }, second);
      const [current, previous] = await readRecentWindows(testRedis.redis, {
        ...series,
        now: t0 + windowMs + 20_000,
        count: 2,
      });
      const verdict = flatlineVerdict(summarize(current!.window), summarize(previous!.window), reference);
      console.log(`retired model: ${verdict.reason}`);
      expect(verdict.flatline).toBe(true);
      expect(verdict.signals.fired).toEqual(["std_ratio", "top_value_share", "distinct_ratio", "entropy"]);

      // After one retired window only, the detector waits.
      const onlyOne = flatlineVerdict(
        summarize(previous!.window),
        summarize(windowOf(pool.slice(0, 300))),
        reference,
      );
      expect(onlyOne.flatline).toBe(false);
    } finally {
      await testRedis.cleanup();
    }
  });
});

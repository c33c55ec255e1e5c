/**
 * drift-check end to end: a real sandbox, the scoring worker in-process (its drift windows on a
 * virtual, window-aligned clock so "two closed windows" needs no waiting), and the job called directly.
 */
import {
  degradedModels,
  isDegraded,
  markDegraded,
  recordModelExpiry,
  recordScores,
  windowStartOf,
} from "@riskq/drift";
import { driftCheckJob, memoryLogger, rescoreDegraded } from "@riskq/scheduler/testing";
import { MODEL, trafficOf, useWorkerKit } from "@riskq/worker/testing";
import { describe, expect, it } from "vitest";

const suite = useWorkerKit();
const WINDOW_MS = 60_000;
const DAY_MS = 86_400_000;

/** A worker recording into windows on `clock`, plus helpers to score a window's worth of traffic. */
async function scoringWorld() {
  const { kit } = suite;
  const clock = { at: windowStartOf(Date.now(), WINDOW_MS) + 1_000 };
  await kit.startWorker({
    drift: { redis: kit.connection, windowMs: WINDOW_MS, now: () => clock.at, degradedCacheMs: 0 },
  });
  let enqueued = 0;
  return {
    clock,
    /** Scores `count` jobs of fresh merchants; resolves once all of them (and earlier ones) settled. */
    async score(seed: number, count: number) {
      const { merchantIds, requests } = trafficOf(seed, 2, count);
      await kit.onboard(...merchantIds);
      await kit.enqueue(requests);
      enqueued += count;
      return kit.settle(enqueued, 30_000);
    },
    check(logger = memoryLogger()) {
      return {
        log: logger,
        run: () =>
          driftCheckJob({
            redis: kit.connection,
            prefix: kit.prefix,
            alipay: kit.alipay,
            now: () => clock.at,
            logger: logger.logger,
            windowMs: WINDOW_MS,
          }),
      };
    },
  };
}

describe("drift-check job", () => {
  it("the sandbox retires the pinned model mid-traffic: two flat windows → canary confirms → marked degraded, alert, later jobs dead-letter as model_flatline", async () => {
    const { kit, sandbox } = suite;
    const world = await scoringWorld();
    await world.score(11, 300); // the healthy reference window
    await sandbox.control.retireModel(MODEL);
    world.clock.at += WINDOW_MS;
    const flatStart = windowStartOf(world.clock.at, WINDOW_MS);
    await world.score(12, 300);
    world.clock.at += WINDOW_MS;
    await world.score(13, 300);
    world.clock.at += WINDOW_MS; // both flat windows are closed now

    const { log, run } = world.check();
    const report = await run();

    expect(report.series).toEqual([expect.objectContaining({ modelVersion: MODEL, flatline: true })]);
    expect(report.canaries[MODEL]).toMatch(/std 0\.0000, 1 distinct/);
    expect(report.marked).toEqual([MODEL]);
    expect(await isDegraded(kit.connection, kit.prefix, MODEL)).toEqual({
      since: flatStart,
      reason: "flatline",
    });
    expect(log.records()).toContainEqual(
      expect.objectContaining({ level: 50, alert: "model_flatline", model: MODEL }),
    );

    const { failed } = await world.score(14, 40);
    expect(failed).toHaveLength(40);
    for (const job of failed) expect((await kit.deadLetters.get(job.id!))?.reason).toBe("model_flatline");
  });

  it("withdraws a degraded model's results since its flatline began: they dead-letter as model_flatline, earlier ones stay", async () => {
    const { kit } = suite;
    await kit.startWorker({ drift: { redis: kit.connection, degradedCacheMs: 0 } });
    const before = trafficOf(41, 2, 30);
    const during = trafficOf(42, 2, 30);
    await kit.onboard(...before.merchantIds, ...during.merchantIds);
    const beforeIds = await kit.enqueue(before.requests);
    await kit.settle(30);
    const since = Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const duringIds = await kit.enqueue(during.requests);
    await kit.settle(60);

    await markDegraded(kit.connection, kit.prefix, MODEL, { since, reason: "flatline" });
    const target = { redis: kit.connection, prefix: kit.prefix, scoreQueue: kit.scoreQueue };
    const report = await rescoreDegraded(target, MODEL, since);

    expect(report.rescored.sort()).toEqual([...duringIds].sort());
    const { completed, failed } = await kit.settle(60);
    expect(completed.map((j) => j.id).sort()).toEqual([...beforeIds].sort());
    expect(failed.map((j) => j.id).sort()).toEqual([...duringIds].sort());
    for (const job of failed) {
      const letter = await kit.deadLetters.get(job.id!);
      expect(letter?.reason).toBe("model_flatline");
      // Counted as a redrive, so a callback receiver hears the new outcome as a new delivery.
      expect(letter?.redrive_count).toBe(1);
    }
  });

  it("a healthy model stays unmarked: no flatline verdict, no canary, no alert", async () => {
    const { kit } = suite;
    const world = await scoringWorld();
    await world.score(21, 300);
    world.clock.at += WINDOW_MS;
    await world.score(22, 300);
    world.clock.at += WINDOW_MS;

    const { log, run } = world.check();
    const report = await run();

    expect(report.series).toEqual([expect.objectContaining({ modelVersion: MODEL, flatline: false })]);
    expect(report.series[0]!.reason).toMatch(/^healthy/);
    expect(report.canaries).toEqual({});
    expect(report).toMatchObject({ marked: [], expiring: [], retired: [] });
    expect(await degradedModels(kit.connection, kit.prefix)).toEqual(new Map());
    expect(log.records().filter((r) => "alert" in r)).toEqual([]);
  });

  it("clears a flatline mark once the model's canary spreads again", async () => {
    const { kit } = suite;
    const world = await scoringWorld();
    await world.score(31, 20); // onboards a merchant for the canary
    await markDegraded(kit.connection, kit.prefix, MODEL, { since: world.clock.at, reason: "flatline" });

    const { log, run } = world.check();
    const report = await run();

    expect(report.cleared).toEqual([MODEL]);
    expect(await isDegraded(kit.connection, kit.prefix, MODEL)).toBeUndefined();
    expect(log.records()).toContainEqual(expect.objectContaining({ alert: "model_recovered", model: MODEL }));
  });

  it("model-expiry watch: within 14 days warns, past its expiry marks the model degraded as retired", async () => {
    const { kit } = suite;
    const now = Date.parse("2026-11-26T00:00:00Z");
    const series = (modelVersion: string) => ({
      prefix: kit.prefix,
      modelVersion,
      task: "card_risk",
      windowMs: WINDOW_MS,
      now,
    });
    for (const model of ["risk-v3-2026-10", "risk-v3-2026-11", "risk-v3-2026-12"]) {
      await recordScores(kit.connection, series(model), [0.1]);
    }
    await recordModelExpiry(kit.connection, kit.prefix, "risk-v3-2026-10", new Date(now - 1_000));
    await recordModelExpiry(kit.connection, kit.prefix, "risk-v3-2026-11", new Date(now + 13 * DAY_MS));
    await recordModelExpiry(kit.connection, kit.prefix, "risk-v3-2026-12", new Date(now + 15 * DAY_MS));
    const log = memoryLogger();

    const report = await driftCheckJob({
      redis: kit.connection,
      prefix: kit.prefix,
      alipay: kit.alipay,
      now: () => now,
      logger: log.logger,
      windowMs: WINDOW_MS,
    });

    expect(report).toMatchObject({ retired: ["risk-v3-2026-10"], expiring: ["risk-v3-2026-11"], marked: [] });
    expect(await degradedModels(kit.connection, kit.prefix)).toEqual(
      new Map([["risk-v3-2026-10", { since: now - 1_000, reason: "retired" }]]),
    );
    const alerts = log.records().filter((r) => "alert" in r);
    expect(alerts).toHaveLength(2);
    expect(alerts).toContainEqual(
      expect.objectContaining({ level: 40, alert: "model_expiring", model: "risk-v3-2026-11" }),
    );
    expect(alerts).toContainEqual(
      expect.objectContaining({ level: 50, alert: "model_retired", model: "risk-v3-2026-10" }),
    );
  });
});

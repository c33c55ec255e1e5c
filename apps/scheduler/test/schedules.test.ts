import { startAppProcess } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { planKeyRotation } from "../src/plan-key-rotation";
import {
  assertValid,
  DEFAULT_SCHEDULE_SETTINGS,
  declaredSchedules,
  MAINTENANCE_JOBS,
} from "../src/schedules";
import { upsertSchedules } from "../src/upsert-schedules";
import { schedulerProcessEnv, testLogger, useSchedulerKit } from "./support/scheduler-harness";

const suite = useSchedulerKit();
const DECLARED = declaredSchedules()
  .map((s) => s.id)
  .sort();

async function schedulersOf(queue: ReturnType<typeof suite.kit.maintenanceQueue>) {
  const list = await queue.getJobSchedulers(0, -1);
  return new Map(list.map((s) => [s.id ?? s.key, s]));
}

function startScheduler(name: string, extra: Record<string, string> = {}) {
  return startAppProcess({
    name,
    script: "apps/scheduler/src/main.ts",
    env: schedulerProcessEnv(suite.sandbox, suite.kit, extra),
    readyEvent: "scheduler-ready",
    startTimeoutMs: 40_000,
  });
}

describe("maintenance schedules", () => {
  it("two scheduler processes booting at once leave one scheduler per declared job; a reboot with a new interval leaves only the new one", async () => {
    const queue = suite.kit.maintenanceQueue();
    const [a, b] = await Promise.all([startScheduler("scheduler 1"), startScheduler("scheduler 2")]);
    try {
      expect(a.ready.pid).toBe(a.pid);
      const booted = await schedulersOf(queue);
      expect([...booted.keys()].sort()).toEqual(DECLARED);
      expect(await queue.getJobSchedulersCount()).toBe(DECLARED.length);
      expect(booted.get(MAINTENANCE_JOBS.tokenRefresh)?.every).toBe(
        DEFAULT_SCHEDULE_SETTINGS.tokenRefreshEveryMs,
      );
      expect(booted.get(MAINTENANCE_JOBS.keyRotation)).toMatchObject({ pattern: "0 * * * *", tz: "UTC" });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    // An earlier deploy declared a job this one no longer does.
    await queue.upsertJobScheduler(
      "retired-job",
      { every: 60_000, tz: "UTC" },
      { name: "retired-job", data: {} },
    );

    const rebooted = await startScheduler("scheduler 3", { TOKEN_REFRESH_EVERY_MS: "300000" });
    try {
      const after = await schedulersOf(queue);
      expect([...after.keys()].sort()).toEqual(DECLARED);
      expect(after.get(MAINTENANCE_JOBS.tokenRefresh)?.every).toBe(300_000);
      expect(after.get(MAINTENANCE_JOBS.keyHealth)?.every).toBe(DEFAULT_SCHEDULE_SETTINGS.keyHealthEveryMs);
    } finally {
      await rebooted.stop();
    }
  });

  it("upsertSchedules is idempotent under concurrency and removes every scheduler not declared", async () => {
    const queue = suite.kit.maintenanceQueue();
    const old = [...declaredSchedules(), { ...declaredSchedules()[0]!, id: "drift-check-v0" }];
    await upsertSchedules(queue, old, testLogger);
    expect((await schedulersOf(queue)).has("drift-check-v0")).toBe(true);

    const changed = declaredSchedules({ keyHealthEveryMs: 120_000 });
    const results = await Promise.all([
      upsertSchedules(queue, changed, testLogger),
      upsertSchedules(queue, changed, testLogger),
    ]);

    const after = await schedulersOf(queue);
    expect([...after.keys()].sort()).toEqual(DECLARED);
    expect(after.get(MAINTENANCE_JOBS.keyHealth)?.every).toBe(120_000);
    // Exactly one of the two removed the stale scheduler.
    expect(results.flatMap((r) => r.removed)).toEqual(["drift-check-v0"]);
  });

  it("refuses a schedule in a time zone that does not exist, and a list with one id twice", async () => {
    const queue = suite.kit.maintenanceQueue();
    const [first] = declaredSchedules();
    const bad = { ...first!, repeat: { pattern: "0 * * * *", tz: "Mars/Olympus" } };
    expect(() => assertValid(bad)).toThrow(/unknown time zone/);
    await expect(upsertSchedules(queue, [first!, first!], testLogger)).rejects.toThrow(/declared twice/);
    expect(await queue.getJobSchedulersCount()).toBe(0);
  });

  it("two schedulers planning the same key check add one delayed job; a newer plan replaces an older one", async () => {
    const queue = suite.kit.maintenanceQueue();
    const now = Date.now();
    const at = now + 3_600_000;
    await Promise.all([planKeyRotation(queue, at, now), planKeyRotation(queue, at, now)]);
    let delayed = (await queue.getDelayed()).filter((j) => j.name === MAINTENANCE_JOBS.keyRotationAt);
    expect(delayed.map((j) => j.id)).toEqual([`key-rotation-at-${at}`]);
    expect(delayed[0]!.delay).toBe(3_600_000);

    await planKeyRotation(queue, at + 60_000, now);
    delayed = (await queue.getDelayed()).filter((j) => j.name === MAINTENANCE_JOBS.keyRotationAt);
    expect(delayed.map((j) => j.id)).toEqual([`key-rotation-at-${at + 60_000}`]);
  });
});

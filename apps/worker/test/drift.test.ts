import { scoreJobResultSchema } from "@riskq/contracts";
import {
  listSeries,
  markDegraded,
  readModelExpiry,
  readRecentWindows,
  windowSize,
  windowStartOf,
} from "@riskq/drift";
import { describe, expect, it } from "vitest";
import { MODEL, TASK, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();
const WINDOW_MS = 60_000;
const FALLBACK = "risk-v3-2026-10";

/** A window-aligned virtual clock for the drift windows (the jobs themselves run on real time). */
function driftClock() {
  const clock = { at: windowStartOf(Date.now(), WINDOW_MS) + 1_000 };
  return { clock, now: () => clock.at };
}

describe("worker drift bookkeeping", () => {
  it("records every answered confidence into the window of its (model, task), and the model's announced expiry", async () => {
    const { kit, sandbox } = suite;
    const { clock, now } = driftClock();
    const { merchantIds, requests } = trafficOf(404, 2, 250);
    await kit.onboard(...merchantIds);
    await kit.enqueue(requests);
    await kit.startWorker({ drift: { redis: kit.connection, windowMs: WINDOW_MS, now } });

    const { completed } = await kit.settle(250);
    expect(completed).toHaveLength(250);

    const [current, previous] = await readRecentWindows(kit.connection, {
      prefix: kit.prefix,
      modelVersion: MODEL,
      task: TASK,
      windowMs: WINDOW_MS,
      now: clock.at,
      count: 2,
    });
    expect(windowSize(current!.window)).toBe(250);
    expect(windowSize(previous!.window)).toBe(0);
    // The window holds exactly the confidences the jobs returned.
    const returned = new Map<number, number>();
    for (const job of completed) {
      const key = Math.round(scoreJobResultSchema.parse(job.returnvalue).confidence! * 10_000);
      returned.set(key, (returned.get(key) ?? 0) + 1);
    }
    expect(current!.window).toEqual(returned);
    expect(await listSeries(kit.connection, kit.prefix)).toEqual([{ modelVersion: MODEL, task: TASK }]);

    const model = (await sandbox.control.state()).models.find((m) => m.version === MODEL);
    expect(await readModelExpiry(kit.connection, kit.prefix, MODEL)).toBe(Date.parse(model!.retires_at));
  });

  it("dead-letters the jobs of a model marked degraded as model_flatline, without calling Alipay", async () => {
    const { kit, sandbox } = suite;
    const { now } = driftClock();
    const { merchantIds, requests } = trafficOf(505, 1, 30);
    await kit.onboard(...merchantIds);
    await markDegraded(kit.connection, kit.prefix, MODEL, { since: Date.now(), reason: "flatline" });
    const before = await sandbox.control.ledger();
    await kit.enqueue(requests);
    await kit.startWorker({ drift: { redis: kit.connection, windowMs: WINDOW_MS, now, degradedCacheMs: 0 } });

    const { completed, failed } = await kit.settle(30);
    expect(completed).toHaveLength(0);
    expect(failed).toHaveLength(30);
    for (const job of failed) expect((await kit.deadLetters.get(job.id!))?.reason).toBe("model_flatline");
    expect((await sandbox.control.ledger()).items).toBe(before.items);
  });

  it("sends the jobs of a degraded model to the configured fallback model instead", async () => {
    const { kit } = suite;
    const { now } = driftClock();
    const { merchantIds, requests } = trafficOf(606, 1, 40);
    await kit.onboard(...merchantIds);
    await markDegraded(kit.connection, kit.prefix, MODEL, { since: Date.now(), reason: "retired" });
    await kit.enqueue(requests);
    await kit.startWorker({
      drift: {
        redis: kit.connection,
        windowMs: WINDOW_MS,
        now,
        degradedCacheMs: 0,
        fallbackModelVersion: FALLBACK,
      },
    });

    const { completed, failed } = await kit.settle(40);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(40);
    for (const job of completed) {
      expect(scoreJobResultSchema.parse(job.returnvalue)).toMatchObject({
        source: "remote",
        model_version: FALLBACK,
      });
    }
    // The fallback's own scores feed its own windows.
    expect(await listSeries(kit.connection, kit.prefix)).toEqual([{ modelVersion: FALLBACK, task: TASK }]);
  });
});

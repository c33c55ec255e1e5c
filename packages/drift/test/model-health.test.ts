import { useTestRedis } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import {
  clearDegraded,
  degradedModels,
  isDegraded,
  listSeries,
  markDegraded,
  readModelExpiry,
  recordModelExpiry,
  recordScores,
} from "../src/index";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const T0 = Date.parse("2026-11-20T06:00:00Z");

describe("model health in Redis", () => {
  it("marks a model degraded once: a later mark keeps the first since and reason; clearing lifts it", async () => {
    const { redis, prefix } = suite.redis;
    expect(await isDegraded(redis, prefix, "risk-v3-2026-11")).toBeUndefined();

    expect(await markDegraded(redis, prefix, "risk-v3-2026-11", { since: T0, reason: "flatline" })).toBe(
      true,
    );
    expect(
      await markDegraded(redis, prefix, "risk-v3-2026-11", { since: T0 + 60_000, reason: "retired" }),
    ).toBe(false);
    expect(await markDegraded(redis, prefix, "risk-v3-2026-10", { since: T0, reason: "retired" })).toBe(true);

    expect(await isDegraded(redis, prefix, "risk-v3-2026-11")).toEqual({ since: T0, reason: "flatline" });
    expect(await degradedModels(redis, prefix)).toEqual(
      new Map([
        ["risk-v3-2026-11", { since: T0, reason: "flatline" }],
        ["risk-v3-2026-10", { since: T0, reason: "retired" }],
      ]),
    );

    expect(await clearDegraded(redis, prefix, "risk-v3-2026-11")).toBe(true);
    expect(await clearDegraded(redis, prefix, "risk-v3-2026-11")).toBe(false);
    expect([...(await degradedModels(redis, prefix)).keys()]).toEqual(["risk-v3-2026-10"]);
  });

  it("stores a model's announced expiry and reads it back as epoch ms (undefined when never announced)", async () => {
    const { redis, prefix } = suite.redis;
    expect(await readModelExpiry(redis, prefix, "risk-v3-2026-11")).toBeUndefined();
    await recordModelExpiry(redis, prefix, "risk-v3-2026-11", new Date(T0 + 86_400_000));
    expect(await readModelExpiry(redis, prefix, "risk-v3-2026-11")).toBe(T0 + 86_400_000);
    expect(await redis.get(`${prefix}:model:risk-v3-2026-11:expiry`)).toBe("2026-11-21T06:00:00.000Z");
  });

  it("recordScores registers each (model, task) series once, so a checker can list them", async () => {
    const { redis, prefix } = suite.redis;
    const at = (modelVersion: string, task: string) => ({
      prefix,
      modelVersion,
      task,
      windowMs: 60_000,
      now: T0,
    });
    await recordScores(redis, at("risk-v3-2026-11", "card_risk"), [0.1, 0.2]);
    await recordScores(redis, at("risk-v3-2026-11", "card_risk"), [0.3]);
    await recordScores(redis, at("risk-v3-2026-10", "transaction_anomaly"), [0.4]);
    // Nothing recorded, nothing registered.
    await recordScores(redis, at("risk-v3-2026-09", "card_risk"), []);

    expect(await listSeries(redis, prefix)).toEqual([
      { modelVersion: "risk-v3-2026-10", task: "transaction_anomaly" },
      { modelVersion: "risk-v3-2026-11", task: "card_risk" },
    ]);
  });
});

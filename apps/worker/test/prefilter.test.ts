import { type ScoreJobResult, type ScoreRequestBody, scoreJobResultSchema } from "@riskq/contracts";
import { createBudgetGuard, PREFILTER_BUCKETS, readRecordedTraffic } from "@riskq/cost";
import { createCircuitBreaker } from "@riskq/pipeline";
import {
  builtInPrefilter,
  createVerdictStats,
  type PrefilterVerdict,
  readVerdictStats,
} from "@riskq/prefilter";
import { describe, expect, it } from "vitest";
import { historyOf, type ScoreJob, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();
const prefilter = builtInPrefilter();

/**
 * Synthetic requests sorted by what the built-in pre-filter says of them (judged here, in the test).
 * Its cuts are narrow (about 5 % cleared, 1 in 2 000 called fraud), so the tests that need fraud
 * calls draw long traffic.
 */
async function trafficByVerdict(seed: number, count: number) {
  const { merchantIds, requests } = trafficOf(seed, 3, count);
  const by: Record<PrefilterVerdict["decision"], ScoreRequestBody[]> = {
    legit: [],
    fraud: [],
    unsure: [],
    unjudged: [],
  };
  for (const request of requests) by[(await prefilter.judge(request)).decision].push(request);
  return { merchantIds, by };
}

const resultOf = (job: ScoreJob): ScoreJobResult => scoreJobResultSchema.parse(job.returnvalue);

describe("the worker's pre-filter step", () => {
  it("on: clear cases complete locally at no cost without reaching Alipay; the rest are scored remotely", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, by } = await trafficByVerdict(401, 20_000);
    const legit = by.legit.slice(0, 30);
    const fraud = by.fraud.slice(0, 8);
    const unsure = by.unsure.slice(0, 30);
    expect(fraud).toHaveLength(8);
    await kit.onboard(...merchantIds);
    await kit.enqueue([...legit, ...fraud, ...unsure]);
    const stats = createVerdictStats({ redis: kit.connection, prefix: kit.prefix });
    await kit.startWorker({
      prefilter: { prefilter, mode: "on", fallback: false, stats },
      cost: { redis: kit.connection },
    });

    const { completed, failed } = await kit.settle(68);
    expect(failed).toHaveLength(0);
    const results = new Map(completed.map((job) => [job.id!, resultOf(job)]));
    const of = (r: ScoreRequestBody) => results.get(`${r.merchant_id}-${r.item_id}`)!;
    for (const request of [...legit, ...fraud]) {
      expect(of(request)).toMatchObject({
        source: "prefilter",
        cost_usd: 0,
        model_version: prefilter.modelVersion,
        attempts: 0,
      });
      expect(of(request).degraded).toBeUndefined();
    }
    expect(legit.every((r) => of(r).flagged === false && of(r).risk_level === "low")).toBe(true);
    expect(fraud.every((r) => of(r).flagged === true && of(r).confidence! >= 0.7)).toBe(true);
    for (const request of unsure) {
      expect(of(request)).toMatchObject({ source: "remote", model_version: "risk-v3-2026-11" });
      expect(of(request).cost_usd).toBeGreaterThan(0);
    }
    // Only the unsure ones were sent.
    expect((await sandbox.control.ledger()).items).toBe(30);

    await stats.flush();
    const counts = await readVerdictStats(kit.connection, kit.prefix);
    expect(counts["decided|legit|none"]).toBe(30);
    expect(counts["decided|fraud|none"]).toBe(8);
    expect((counts["remote|unsure|flagged"] ?? 0) + (counts["remote|unsure|unflagged"] ?? 0)).toBe(30);

    // The cost ledger's recorded traffic knows both halves: what was decided locally, by verdict, and
    // the remote confidences of the rest, as undecided — what the simulator re-prices.
    const { series } = await readRecordedTraffic(kit.connection, kit.prefix);
    expect(series).toHaveLength(1);
    const recorded = series[0]!;
    expect(recorded.local[PREFILTER_BUCKETS.legit]).toBe(30);
    expect(recorded.local[PREFILTER_BUCKETS.fraud]).toBe(8);
    const scoredBy = (bucket: number) => recorded.confidence[bucket]!.reduce((a, b) => a + b, 0);
    expect(scoredBy(PREFILTER_BUCKETS.undecided)).toBe(30);
    expect(scoredBy(PREFILTER_BUCKETS.legit) + scoredBy(PREFILTER_BUCKETS.fraud)).toBe(0);
  });

  it("shadow: judges and counts every job against Alipay's answer, but scores them all remotely", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, by } = await trafficByVerdict(402, 600);
    const requests = [...by.legit.slice(0, 20), ...by.unsure.slice(0, 20)];
    await kit.onboard(...merchantIds);
    await kit.enqueue(requests);
    const stats = createVerdictStats({ redis: kit.connection, prefix: kit.prefix });
    await kit.startWorker({
      prefilter: { prefilter, mode: "shadow", fallback: false, stats },
      cost: { redis: kit.connection },
    });

    const { completed, failed } = await kit.settle(40);
    expect(failed).toHaveLength(0);
    const results = completed.map(resultOf);
    expect(results.every((r) => r.source === "remote")).toBe(true);
    expect((await sandbox.control.ledger()).items).toBe(40);

    await stats.flush();
    const counts = await readVerdictStats(kit.connection, kit.prefix);
    const shadowLegit = (counts["shadow|legit|flagged"] ?? 0) + (counts["shadow|legit|unflagged"] ?? 0);
    const shadowUnsure = (counts["shadow|unsure|flagged"] ?? 0) + (counts["shadow|unsure|unflagged"] ?? 0);
    expect([shadowLegit, shadowUnsure]).toEqual([20, 20]);
    const flaggedRemotely = results.filter((r) => r.flagged).length;
    expect((counts["shadow|legit|flagged"] ?? 0) + (counts["shadow|unsure|flagged"] ?? 0)).toBe(
      flaggedRemotely,
    );
    // Every item went remote, each with its verdict: the simulator can price switching it on.
    const [recorded] = (await readRecordedTraffic(kit.connection, kit.prefix)).series;
    const scoredBy = (bucket: number) => recorded!.confidence[bucket]!.reduce((a, b) => a + b, 0);
    expect([scoredBy(PREFILTER_BUCKETS.legit), scoredBy(PREFILTER_BUCKETS.undecided)]).toEqual([20, 20]);
    expect(recorded!.local.every((n) => n === 0)).toBe(true);
  });

  it("fallback: with the circuit open, judged jobs complete from the pre-filter marked degraded; an unjudged one the outage outlasts goes to review by its deadline policy", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, by } = await trafficByVerdict(403, 10_000);
    const judged = [...by.legit.slice(0, 10), ...by.unsure.slice(0, 10), ...by.fraud.slice(0, 2)];
    // Without a card fingerprint an item is unlike the training traffic: the pre-filter never judges it.
    const { card_fingerprint: _, ...unjudged } = by.unsure[20]!;
    await kit.onboard(...merchantIds);
    await kit.enqueue([...judged, unjudged]);
    // Alipay is down as far as this worker knows: one failure opened the circuit for ten minutes.
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 600_000, isFailure: () => true });
    await breaker.execute(() => Promise.reject(new Error("down"))).catch(() => undefined);
    expect(breaker.isOpen()).toBe(true);
    // Mode off: outside outages the pre-filter decides nothing; the fallback works on its own.
    await kit.startWorker({ breaker, prefilter: { prefilter, mode: "off", fallback: true } });

    const { completed: all } = await kit.settle(judged.length + 1);
    const unjudgedId = `${unjudged.merchant_id}-${unjudged.item_id}`;
    const completed = all.filter((job) => job.id !== unjudgedId);
    expect(completed).toHaveLength(judged.length);
    for (const job of completed) {
      const request = judged.find((r) => `${r.merchant_id}-${r.item_id}` === job.id);
      const verdict = await prefilter.judge(request!);
      if (verdict.decision === "unjudged") throw new Error("judged traffic only");
      expect(resultOf(job)).toEqual({
        item_id: request!.item_id,
        source: "prefilter",
        ...verdict.score,
        model_version: prefilter.modelVersion,
        cost_usd: 0,
        attempts: 0,
        degraded: true,
        degraded_reason: "circuit_open",
        decided_in_ms: expect.any(Number),
      });
    }
    // The circuit stays open for ten minutes, past the job's deadline: waiting could only end too late,
    // so the default deadline policy (local) decides it now — review, as the model cannot judge it.
    const decided = all.find((job) => job.id === unjudgedId);
    expect(resultOf(decided!)).toMatchObject({
      source: "policy",
      decision: "review",
      flagged: true,
      degraded: true,
      degraded_reason: "circuit_open",
    });
    expect(historyOf(decided!)).toEqual(["circuit_open"]);
    expect((await sandbox.control.ledger()).items).toBe(0);
  });

  it("fallback: with the budget exhausted, jobs complete from the pre-filter marked degraded instead of waiting", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, by } = await trafficByVerdict(404, 600);
    const requests = [...by.legit.slice(0, 5), ...by.unsure.slice(0, 5)];
    await kit.onboard(...merchantIds);
    await kit.enqueue(requests);
    // A daily budget of a cent cannot pay for even a one-item call at worst-case prices: exhausted.
    const guard = createBudgetGuard({
      redis: kit.connection,
      prefix: kit.prefix,
      config: { global: { dailyUsd: 0.01 } },
    });
    await kit.startWorker({
      budget: { guard, onExhausted: "wait", recheckMs: 60_000, maxWaitMs: 3_600_000 },
      prefilter: { prefilter, mode: "on", fallback: true },
    });

    const { completed } = await kit.settle(requests.length);
    const results = completed.map(resultOf);
    expect(results.every((r) => r.source === "prefilter" && r.cost_usd === 0)).toBe(true);
    // The clear cases are decided as usual; only the unsure ones needed the fallback.
    expect(results.filter((r) => r.degraded === true)).toHaveLength(5);
    expect((await sandbox.control.ledger()).items).toBe(0);
  });
});

import { type SandboxProcess, startAppProcess, startSandbox } from "@riskq/testing";
import { DateTime } from "luxon";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SWITCH_LAG_MS } from "../src/jobs/key-rotation-plan";
import { type SimulationOptions, type SimulationSummary, simulateRotation } from "./key-rotation-simulation";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** The server accepts a key until expires_at + 5 min (docs/alipay-ai-api.md §3). */
const GRACE_MS = 5 * MINUTE_MS;
/** Real time that passes between reading the clock and recording an observation. */
const SLACK_MS = 5_000;
const DAYS = 400;
const ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Shanghai"] as const;

/** The key history as the client saw it: each key's first observation, in order. */
function activations(summary: SimulationSummary): Array<{ keyId: string; at: number; kind: string }> {
  const ordered = [...summary.observations].sort((a, b) => a.at - b.at);
  const out: Array<{ keyId: string; at: number; kind: string }> = [];
  for (const o of ordered)
    if (out.at(-1)?.keyId !== o.keyId) out.push({ keyId: o.keyId, at: o.at, kind: o.kind });
  return out;
}

/** The invariants of issue 5 over one run: always a valid key, one switch per key, none skipped. */
function expectSoundRotation(summary: SimulationSummary): void {
  const truth = new Map(summary.truth.map((k) => [k.keyId, k]));
  // The sandbox's chain itself has no gap over the run (so "none skipped" below means something).
  expect(summary.truth[0]!.notBefore).toBeLessThanOrEqual(summary.startedAt);
  expect(summary.truth.at(-1)!.expiresAt).toBeGreaterThan(summary.endedAt);
  for (let i = 1; i < summary.truth.length; i++) {
    expect(summary.truth[i]!.notBefore).toBe(summary.truth[i - 1]!.expiresAt);
  }

  for (const o of summary.observations) {
    const key = truth.get(o.keyId);
    expect(key, `${o.keyId} at ${new Date(o.at).toISOString()} is a key of the schedule`).toBeDefined();
    expect(o.at, `${o.keyId} not yet valid at ${new Date(o.at).toISOString()}`).toBeGreaterThanOrEqual(
      key!.notBefore,
    );
    expect(o.at, `${o.keyId} expired at ${new Date(o.at).toISOString()}`).toBeLessThan(
      key!.expiresAt + GRACE_MS,
    );
  }

  const seen = activations(summary);
  const ids = seen.map((a) => a.keyId);
  // Each key becomes active exactly once (no switch back, no double switch)…
  expect(new Set(ids).size).toBe(ids.length);
  // …and every key of the chain over the run is used, in order: none skipped. A key that began less
  // than the switch lag before the run ended is not due yet (the run ends at a wall-clock time of
  // day, so now and then just after a rotation).
  const due = summary.truth.filter((k) => k.notBefore + SWITCH_LAG_MS <= summary.endedAt);
  expect(ids).toEqual(due.map((k) => k.keyId));
  for (const a of seen.slice(1)) {
    const key = truth.get(a.keyId)!;
    // Switched by the planned check, strictly inside the new key's own window, a minute after it began.
    expect(a.kind).toBe("check");
    expect(a.at).toBeGreaterThanOrEqual(key.notBefore);
    expect(a.at).toBeLessThan(key.expiresAt);
    // (A forced key cannot be foreseen: how soon it is picked up is the forced-rotation test's.)
    if (key.notBefore !== summary.forcedAt)
      expect(a.at - key.notBefore).toBeLessThanOrEqual(SWITCH_LAG_MS + SLACK_MS);
  }
  // The job logged each switch once, from the key before to the key after.
  expect(summary.switchLogs).toEqual(ids.slice(1).map((toKeyId, i) => ({ fromKeyId: ids[i], toKeyId })));
}

/** Local calendar days of `zone` fully inside the run, with their length in hours. */
function localDays(
  zone: string,
  from: number,
  to: number,
): Array<{ date: string; start: number; end: number }> {
  const days: Array<{ date: string; start: number; end: number }> = [];
  let day = DateTime.fromMillis(from, { zone }).startOf("day").plus({ days: 1 });
  while (day.plus({ days: 1 }).toMillis() <= to) {
    const next = day.plus({ days: 1 });
    days.push({ date: day.toISODate()!, start: day.toMillis(), end: next.toMillis() });
    day = next;
  }
  return days;
}

describe("key rotation by instants over 400 virtual days", () => {
  let sandbox: SandboxProcess | undefined;
  const running = () => {
    if (!sandbox) throw new Error("the sandbox starts in beforeAll");
    return sandbox;
  };
  const baseOptions = (): Pick<SimulationOptions, "sandbox" | "redisUrl"> => {
    const s = running();
    return {
      sandbox: {
        url: s.url,
        appId: s.appId,
        appPrivateKey: s.appPrivateKey,
        platformPublicKey: s.platformPublicKey,
      },
      redisUrl: process.env.REDIS_URL,
    };
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(async () => {
    await running().reset();
    // Thousands of calls in seconds of real time: the buckets run on real time (docs/alipay-ai-api.md §10).
    await running().control.faults({
      rate_limits: { app_qps: 100_000, app_burst: 100_000, batch_qps: 100_000, batch_burst: 100_000 },
    });
  });

  it("always uses a valid key, switches once per key and skips none, on the DST days of every host zone", async () => {
    const summary = await simulateRotation({ ...baseOptions(), days: DAYS, probeAroundRotations: true });

    expectSoundRotation(summary);
    expect(summary.endedAt - summary.startedAt).toBeGreaterThanOrEqual(DAYS * 24 * HOUR_MS);
    // About one rotation a day, and a bounded number of checks for it.
    expect(summary.truth.length).toBeGreaterThanOrEqual(DAYS);
    expect(summary.checks).toBeLessThan(8 * DAYS);
    // The sandbox itself accepted the key in use around every rotation.
    expect(summary.probes.length).toBeGreaterThan(DAYS);
    expect(summary.probes.filter((p) => !p.healthy)).toEqual([]);

    const switchedAt = activations(summary)
      .slice(1)
      .map((a) => a.at);
    const rotations = summary.truth.slice(1).map((k) => k.notBefore);
    for (const zone of ZONES) {
      const days = localDays(zone, summary.startedAt, summary.endedAt);
      expect(days.length).toBeGreaterThanOrEqual(DAYS - 2);
      const dstDays = days.filter((d) => d.end - d.start !== 24 * HOUR_MS);
      if (zone === "Asia/Shanghai") {
        expect(dstDays).toEqual([]);
      } else {
        // 400 days cover both a spring-forward (23 h) and a fall-back (25 h) day.
        expect(dstDays.some((d) => d.end - d.start === 23 * HOUR_MS)).toBe(true);
        expect(dstDays.some((d) => d.end - d.start === 25 * HOUR_MS)).toBe(true);
      }
      for (const d of days) {
        const due = rotations.filter((t) => t >= d.start && t < d.end).length;
        const done = switchedAt.filter((t) => t >= d.start && t < d.end).length;
        expect(done, `${zone} ${d.date}: switches`).toBe(due);
      }
      // On a 23-h or 25-h day the one rotation of the day happened exactly once.
      for (const d of dstDays) {
        expect(switchedAt.filter((t) => t >= d.start && t < d.end).length, `${zone} ${d.date}`).toBe(1);
      }
    }
  }, 120_000);

  it("picks up a forced rotation within 5 minutes when checks are at most 4 minutes apart", async () => {
    // A rotation forced 31 h 13 min 20 s in: between checks, far from the scheduled 18:30 UTC one.
    const forceAfter = 31 * HOUR_MS + 13 * MINUTE_MS + 20_000;
    const summary = await simulateRotation({
      ...baseOptions(),
      days: 2,
      maxIntervalMs: 4 * MINUTE_MS,
      forceRotationAfterMs: forceAfter,
    });

    expectSoundRotation(summary);
    const forcedAt = summary.forcedAt!;
    expect(forcedAt).toBeDefined();
    const forced = summary.truth.find((k) => k.notBefore === forcedAt)!;
    expect(forced).toBeDefined();
    const firstUse = activations(summary).find((a) => a.keyId === forced.keyId)!;
    expect(firstUse.kind).toBe("check");
    expect(firstUse.at - forcedAt).toBeLessThanOrEqual(5 * MINUTE_MS);
  }, 60_000);

  it("plans the same in a process whose host zone is America/New_York (TZ)", async () => {
    const child = await startAppProcess({
      name: "key rotation simulation (TZ=America/New_York)",
      script: "apps/scheduler/test/key-rotation-simulation.ts",
      env: {
        TZ: "America/New_York",
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
        RISKQ_ROTATION_SIMULATION: JSON.stringify({ ...baseOptions(), days: DAYS }),
      },
      readyEvent: "summary",
      startTimeoutMs: 110_000,
    });
    const exitCode = await child.exited;
    const summary = child.ready as unknown as SimulationSummary;

    expect(exitCode).toBe(0);
    // The child really ran in a zone with DST: EST in January, EDT in July.
    expect(summary.hostZone).toBe("America/New_York");
    expect(summary.hostOffsetsMinutes).toEqual([300, 240]);
    expectSoundRotation(summary);
    expect(summary.endedAt - summary.startedAt).toBeGreaterThanOrEqual(DAYS * 24 * HOUR_MS);
    const dstDays = localDays("America/New_York", summary.startedAt, summary.endedAt).filter(
      (d) => d.end - d.start !== 24 * HOUR_MS,
    );
    expect(dstDays.length).toBeGreaterThanOrEqual(2);
    const switchedAt = activations(summary)
      .slice(1)
      .map((a) => a.at);
    for (const d of dstDays) expect(switchedAt.filter((t) => t >= d.start && t < d.end).length).toBe(1);
  }, 120_000);
});

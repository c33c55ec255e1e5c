/**
 * Runs the key-rotation job against a real sandbox over many virtual days, jumping the sandbox's
 * virtual clock (and the client's, in step) straight from one planned check to the next, and
 * records which key the client would encrypt with at each check and at sampled instants between.
 *
 * Shared by key-rotation-dst.test.ts and, as a script, by the child process that test starts with
 * another TZ: run directly, it reads RISKQ_ROTATION_SIMULATION (JSON) and prints one JSON line
 * `{"event":"summary",…}`.
 */
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { type AlipayClient, type Clock, createAlipayClient } from "@riskq/alipay";
import { createTestRedis, SandboxControl } from "@riskq/testing";
import { pino } from "pino";
import { rotateKeysJob } from "../src/jobs/key-rotation";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

interface SimulationSandbox {
  url: string;
  appId: string;
  appPrivateKey: string;
  platformPublicKey: string;
}

export interface SimulationOptions {
  sandbox: SimulationSandbox;
  redisUrl?: string | undefined;
  days: number;
  /** Passed to the job (see KeyCheckOptions.maxIntervalMs). */
  maxIntervalMs?: number;
  /** Grid of sampled instants between checks, from the start. */
  sampleEveryMs?: number;
  /** Also ask the sandbox whether it accepts the key in use at the samples around each rotation. */
  probeAroundRotations?: boolean;
  /** Forces a rotation (docs/alipay-ai-api.md §10) this long after the start, at no planned check. */
  forceRotationAfterMs?: number;
}

interface Observation {
  at: number;
  keyId: string;
  kind: "check" | "sample";
}

/** A key of the sandbox's schedule as its state showed it (windows cut by a forced rotation). */
interface TruthKey {
  keyId: string;
  notBefore: number;
  expiresAt: number;
}

export interface SimulationSummary {
  event: "summary";
  /** The zone this process ran in, as Intl resolves it. */
  hostZone: string;
  /** getTimezoneOffset() in January and July of the start year (equal when the zone has no DST). */
  hostOffsetsMinutes: [number, number];
  startedAt: number;
  endedAt: number;
  checks: number;
  observations: Observation[];
  /** The sandbox's key chain over the run, ordered by not_before. */
  truth: TruthKey[];
  /** `AES key switched` log lines, in order. */
  switchLogs: Array<{ fromKeyId: string; toKeyId: string }>;
  probes: Array<{ at: number; keyId: string; healthy: boolean }>;
  forcedAt?: number;
}

/** The client's clock, kept in step with the sandbox's virtual clock (both move by the same jumps). */
class ShiftedClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

export async function simulateRotation(options: SimulationOptions): Promise<SimulationSummary> {
  const control = new SandboxControl(options.sandbox.url);
  const redis = await createTestRedis({ url: options.redisUrl });
  const clock = new ShiftedClock();
  const switchLogs: SimulationSummary["switchLogs"] = [];
  const logger = pino(
    { level: "info" },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; fromKeyId?: string; toKeyId?: string };
        if (entry.msg === "AES key switched" && entry.fromKeyId && entry.toKeyId) {
          switchLogs.push({ fromKeyId: entry.fromKeyId, toKeyId: entry.toKeyId });
        }
      },
    },
  );
  const client: AlipayClient = createAlipayClient({
    endpoint: options.sandbox.url,
    appId: options.sandbox.appId,
    appPrivateKey: options.sandbox.appPrivateKey,
    platformPublicKey: options.sandbox.platformPublicKey,
    redis: redis.redis,
    prefix: redis.prefix,
    secretKey: randomBytes(32),
    logger,
    clock,
  });
  const truth = new Map<string, TruthKey>();
  const observations: Observation[] = [];
  const probes: SimulationSummary["probes"] = [];

  try {
    // The sandbox and this process share the host's real clock: align the client on its virtual now.
    const state = await control.state();
    clock.offset = Date.parse(state.clock.now) - Date.now();
    const startedAt = clock.now();
    const endAt = startedAt + options.days * DAY_MS;
    const sampleEveryMs = options.sampleEveryMs ?? 6 * HOUR_MS;
    const forceAt =
      options.forceRotationAfterMs === undefined ? undefined : startedAt + options.forceRotationAfterMs;
    let forcedAt: number | undefined;

    const advanceTo = async (t: number) => {
      const delta = Math.round(t - clock.now());
      if (delta <= 0) return;
      await control.advanceClock(delta);
      clock.offset += delta;
    };
    const learnTruth = async () => {
      for (const k of (await control.state()).keys) {
        truth.set(k.key_id, {
          keyId: k.key_id,
          notBefore: Date.parse(k.not_before),
          expiresAt: Date.parse(k.expires_at),
        });
      }
    };
    /** Boundaries the samples bracket: each listed key's not_before and expires_at. */
    const boundaries = () => [...truth.values()].flatMap((k) => [k.notBefore, k.expiresAt]);

    await learnTruth();
    let lastKeyId: string | undefined;
    let checks = 0;
    let nextCheckAt = clock.now();
    let nextSample = startedAt + sampleEveryMs;
    while (clock.now() < endAt) {
      await advanceTo(nextCheckAt);
      await learnTruth();
      const result = await rotateKeysJob({
        alipay: client,
        now: () => clock.now(),
        logger,
        lastKeyId,
        maxIntervalMs: options.maxIntervalMs,
      });
      checks += 1;
      observations.push({ at: clock.now(), keyId: result.keyId, kind: "check" });
      lastKeyId = result.keyId;
      nextCheckAt = result.nextCheckAt;
      if (!(nextCheckAt > clock.now())) throw new Error(`planned check ${nextCheckAt} is not after now`);

      // Instants between this check and the next: the grid, and around each known key boundary
      // (±1 min, plus 15 s after, where the client still holds the old key inside its grace).
      const around = new Set<number>();
      for (const b of boundaries()) for (const d of [-MINUTE_MS, 15_000, MINUTE_MS]) around.add(b + d);
      const between: Array<{ at: number; boundary: boolean }> = [];
      while (nextSample < nextCheckAt) {
        between.push({ at: nextSample, boundary: false });
        nextSample += sampleEveryMs;
      }
      for (const at of around) if (at > clock.now() && at < nextCheckAt) between.push({ at, boundary: true });
      if (forceAt !== undefined && forcedAt === undefined && forceAt > clock.now() && forceAt < nextCheckAt) {
        between.push({ at: forceAt, boundary: false });
      }
      between.sort((a, b) => a.at - b.at);
      for (const sample of between) {
        await advanceTo(sample.at);
        if (forceAt !== undefined && forcedAt === undefined && sample.at === forceAt) {
          await control.rotateKeys();
          forcedAt = await applyForcedRotation(control, truth);
          continue;
        }
        const key = await client.currentKey(clock.now());
        observations.push({ at: clock.now(), keyId: key.keyId, kind: "sample" });
        if (sample.boundary && options.probeAroundRotations) {
          const probe = await client.probeKeyHealth();
          probes.push({ at: clock.now(), keyId: probe.keyId ?? "", healthy: probe.healthy });
        }
      }
    }

    const year = new Date(startedAt).getUTCFullYear();
    return {
      event: "summary",
      hostZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      hostOffsetsMinutes: [
        new Date(Date.UTC(year, 0, 15)).getTimezoneOffset(),
        new Date(Date.UTC(year, 6, 15)).getTimezoneOffset(),
      ],
      startedAt,
      endedAt: clock.now(),
      checks,
      observations,
      truth: [...truth.values()].sort((a, b) => a.notBefore - b.notBefore),
      switchLogs,
      probes,
      ...(forcedAt === undefined ? {} : { forcedAt }),
    };
  } finally {
    await redis.cleanup();
  }
}

/**
 * After `POST /__sandbox/keys/rotate`: the forced key starts now and the key it replaced ends now;
 * a successor already listed for later is cancelled (the schedule restarts from the forced key).
 */
async function applyForcedRotation(control: SandboxControl, truth: Map<string, TruthKey>): Promise<number> {
  const listed = (await control.state()).keys.map((k) => ({
    keyId: k.key_id,
    notBefore: Date.parse(k.not_before),
    expiresAt: Date.parse(k.expires_at),
  }));
  const forced = listed.reduce((a, b) => (a.notBefore <= b.notBefore ? a : b));
  for (const [id, k] of truth) {
    if (k.notBefore >= forced.notBefore) truth.delete(id);
    else if (k.expiresAt > forced.notBefore) truth.set(id, { ...k, expiresAt: forced.notBefore });
  }
  for (const k of listed) truth.set(k.keyId, k);
  return forced.notBefore;
}

// As a script (the child process with another TZ): options from the environment, summary on stdout.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = JSON.parse(process.env.RISKQ_ROTATION_SIMULATION ?? "{}") as SimulationOptions;
  simulateRotation(options).then(
    (summary) => {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

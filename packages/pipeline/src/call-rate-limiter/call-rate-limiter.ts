import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { afterSuccess, afterThrottle, probeIntervalMs } from "./adaptive-rate";
import {
  type AdaptiveRateParams,
  type AdaptiveState,
  DEFAULT_ADAPTIVE_PARAMS,
  initialAdaptiveState,
} from "./adaptive-state";
import { whileWaiting } from "./learned-rate";
import {
  ACQUIRE_SCRIPT,
  ADAPTIVE_FIELDS,
  type AdaptiveField,
  OBSERVE_SCRIPT,
  runScript,
  UPDATE_SCRIPT,
} from "./lua-scripts";
import { MAX_NAP_MS, type Priority, WaitLane } from "./wait-lane";

export interface CallRateLimiterOptions {
  redis: Redis;
  /** Key prefix with a hash tag, e.g. "{riskq}": every script's keys then share one cluster slot. */
  prefix: string;
  /** Calls/s a bucket starts at before anything is known (default 5). */
  initialRate?: number;
  /** Floor of the adaptive rate (default 0.5 calls/s). */
  minRate?: number;
  /** Cap of the adaptive rate (default 1000 calls/s). */
  maxRate?: number;
  /**
   * How many seconds' worth of calls may go back to back after an idle spell (default 0.5, at
   * least one call). Kept below the remote's own burst so a quiet period is not followed by 429s.
   */
  burstSeconds?: number;
  /** Finer tuning of the rate update (cut factor, hover share, probe interval…). */
  adaptive?: Partial<Omit<AdaptiveRateParams, "initialRate" | "minRate" | "maxRate">>;
}

/** Proof of one granted call; hand it back with the call's outcome. */
export interface Permit {
  readonly buckets: readonly string[];
  /** When it was granted, on Redis's clock (ms). */
  readonly grantedAt: number;
}

export type { Priority };

/** How one caller waits for a permit. */
export interface AcquireOptions {
  /** Gives up waiting: the promise rejects with the signal's reason and no permit is taken. */
  signal?: AbortSignal;
  /**
   * Lower goes first, in this process and across processes while calls are scarce (e.g. the
   * epoch-ms deadline of the batch's oldest item plus a fairness penalty). Equal priorities are
   * served in arrival order; without one a caller comes after every prioritized caller. A function
   * is a priority that changes while the caller waits (a fairness penalty that lapses): it is read
   * each time the line is ordered, so the caller keeps its place in line instead of asking anew.
   */
  priority?: Priority | undefined;
}

export type TryAcquireResult =
  | { readonly granted: true; readonly permit: Permit }
  | { readonly granted: false; readonly waitMs: number };

/** One bucket's adaptive state, for metrics and displays. */
export interface BucketSnapshot {
  /** Calls/s currently allowed. */
  rate: number;
  /** The rate at which 429s began; undefined until the first one. */
  ceiling: number | undefined;
  lastCutAt: Date | undefined;
  /** Whether a probe above the hover point is running. */
  probing: boolean;
  /** Clean time needed at the hover point before the next probe. */
  probeIntervalMs: number;
}

/**
 * A call-rate limiter shared by every process through Redis, one adaptive rate per bucket name
 * (e.g. "app" for every call, "batch-predict" for that method), learning the remote's unpublished
 * limits from its 429s. Calls, not jobs, are counted: one batch is one permit.
 *
 * Use: `const permit = await limiter.acquire(["app", "batch-predict"], { priority: deadline })`,
 * make the call, then `limiter.onSuccess(permit)` or, on a 429, `limiter.onThrottled(permit, bucket)`.
 * While calls are scarce the lowest priority (earliest deadline) goes first, in every process.
 */
export class CallRateLimiter {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly params: AdaptiveRateParams;
  private readonly burstSeconds: number;
  private readonly lanes = new Map<string, WaitLane<Permit>>();
  /** Names this instance's claims in Redis (one per lane: lanes of one instance must not collide). */
  private readonly instanceId = randomBytes(8).toString("hex");
  /** Each bucket's rate as this instance last read it (every answer reads it). */
  private readonly seenRates = new Map<string, number>();
  /** When this instance last judged each bucket on behalf of a waiting caller (`whileWaiting`). */
  private readonly judgedAt = new Map<string, number>();

  constructor(options: CallRateLimiterOptions) {
    if (!/\{[^}]+\}/.test(options.prefix)) {
      throw new Error(
        `prefix "${options.prefix}" needs a hash tag such as {riskq}: the scripts need one slot`,
      );
    }
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.params = {
      ...DEFAULT_ADAPTIVE_PARAMS,
      ...options.adaptive,
      initialRate: options.initialRate ?? DEFAULT_ADAPTIVE_PARAMS.initialRate,
      minRate: options.minRate ?? DEFAULT_ADAPTIVE_PARAMS.minRate,
      maxRate: options.maxRate ?? DEFAULT_ADAPTIVE_PARAMS.maxRate,
    };
    this.burstSeconds = options.burstSeconds ?? 0.5;
  }

  /**
   * Waits until every named bucket has room, then takes one permit from each, atomically. Callers
   * of one process queue locally, lowest priority first (only the head asks Redis), and sleep the
   * wait Redis computed; the heads of all processes are ordered by priority in Redis.
   */
  acquire(buckets: string | readonly string[], options: AcquireOptions = {}): Promise<Permit> {
    const names = bucketList(buckets);
    const laneKey = laneKeyOf(names);
    let lane = this.lanes.get(laneKey);
    if (lane === undefined) {
      const claimant = `${this.instanceId}:${this.lanes.size}`;
      lane = new WaitLane<Permit>(
        async (priority) => {
          const result = await this.attempt(names, claimant, priority);
          return result.granted ? { value: result.permit } : { waitMs: result.waitMs };
        },
        () => void this.dropClaim(names, claimant).catch(() => {}),
      );
      this.lanes.set(laneKey, lane);
    }
    return lane.wait({ signal: options.signal, priority: options.priority });
  }

  /**
   * Whether calls on these buckets are scarce for this process: callers wait in line for them, or
   * an attempt was refused within the last second (`FREE_AFTER_MS` in wait-lane.ts). While they are
   * not, a caller's priority changes nothing (it is granted as soon as it asks), and working one out
   * can be skipped.
   */
  scarce(buckets: string | readonly string[]): boolean {
    return this.lanes.get(laneKeyOf(bucketList(buckets)))?.scarce() ?? false;
  }

  /**
   * One attempt: a permit from every named bucket, or how long until there will be room. Claims
   * no place in line, so it leaves a scarce call to any waiting caller with a priority.
   */
  tryAcquire(buckets: string | readonly string[]): Promise<TryAcquireResult> {
    return this.attempt(bucketList(buckets), "", Number.POSITIVE_INFINITY);
  }

  private async attempt(
    names: readonly string[],
    claimant: string,
    priority: number,
  ): Promise<TryAcquireResult> {
    const reply = (await runScript(
      this.redis,
      ACQUIRE_SCRIPT,
      [
        ...names.map((name) => this.bucketKey(name)),
        this.registryKey(),
        ...names.map((name) => `${this.bucketKey(name)}:claims`),
        ...names.map((name) => `${this.bucketKey(name)}:claim-clocks`),
      ],
      [
        "",
        this.params.initialRate,
        this.burstSeconds,
        claimant,
        claimScore(priority),
        MIN_CLAIM_TTL_MS,
        MAX_NAP_MS,
        ...names,
      ],
    )) as [number, string, string];
    const [granted, waitMs, now] = reply;
    if (granted === 1) return { granted: true, permit: { buckets: names, grantedAt: Number(now) } };
    this.judgeWhileWaiting(names);
    return { granted: false, waitMs: Number(waitMs) };
  }

  /**
   * Callers wait: far below its learned rate a bucket may go back to it (`whileWaiting`), which
   * answers alone would notice late, as they are few down there. Judged at most every
   * `JUDGE_EVERY_MS` per bucket and process, in the background: the caller's wait is not held up.
   */
  private judgeWhileWaiting(names: readonly string[]): void {
    const at = performance.now();
    for (const bucket of names) {
      if (at - (this.judgedAt.get(bucket) ?? Number.NEGATIVE_INFINITY) < JUDGE_EVERY_MS) continue;
      this.judgedAt.set(bucket, at);
      void this.adapt(bucket, "", 0, (state, now) => whileWaiting(state, now, this.params)).catch(() => {});
    }
  }

  /** Gives up a lane's place in the shared line (its callers left): nobody waits for it to lapse. */
  private async dropClaim(names: readonly string[], claimant: string): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const name of names) {
      pipeline.zrem(`${this.bucketKey(name)}:claims`, claimant);
      pipeline.hdel(`${this.bucketKey(name)}:claim-clocks`, claimant);
    }
    await pipeline.exec();
  }

  /** The permitted call was answered (not with a 429): every bucket of the permit may climb. */
  async onSuccess(permit: Permit): Promise<void> {
    for (const bucket of permit.buckets) {
      await this.adapt(bucket, "accepted", permit.grantedAt, (state, now) =>
        afterSuccess(state, now, this.params, permit.grantedAt),
      );
    }
  }

  /**
   * The permitted call drew a 429 from `bucket` (for riskq: "app" for app-call-limited, the
   * method's bucket for method-call-limited). Cuts that bucket's rate, once per overload.
   */
  async onThrottled(permit: Permit, bucket: string): Promise<void> {
    await this.adapt(bucket, "refused", permit.grantedAt, (state, now) =>
      afterThrottle(state, now, this.params, permit.grantedAt),
    );
  }

  /**
   * The bucket's rate as this instance last read it from Redis (at every answered call), without a
   * round trip: shared by every process, so it is a pace they all agree on. Undefined until read.
   */
  seenRate(bucket: string): number | undefined {
    return this.seenRates.get(bucket);
  }

  /** Rate and ceiling of the named buckets, or of every bucket ever granted under this prefix. */
  async snapshot(buckets?: readonly string[]): Promise<Record<string, BucketSnapshot>> {
    const names = buckets ?? (await this.redis.smembers(this.registryKey())).sort();
    const out: Record<string, BucketSnapshot> = {};
    for (const name of names) {
      const { state } = await this.observe(name, "", 0);
      out[name] = {
        rate: state.rate,
        ceiling: state.ceiling > 0 ? state.ceiling : undefined,
        lastCutAt: state.lastCutAt > 0 ? new Date(state.lastCutAt) : undefined,
        probing: state.probeAt > 0,
        probeIntervalMs: probeIntervalMs(state, this.params),
      };
    }
    return out;
  }

  /**
   * Read, update, compare-and-set: the rule runs here in TypeScript (one implementation, unit
   * tested), on the time Redis reported, and a concurrent change by another process makes us
   * re-read rather than overwrite it.
   */
  private async adapt(
    bucket: string,
    outcome: "accepted" | "refused" | "",
    grantedAt: number,
    rule: (state: AdaptiveState, now: number) => AdaptiveState,
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      // The outcome is counted once, on the first read only.
      const { now, version, state } = await this.observe(bucket, attempt === 0 ? outcome : "", grantedAt);
      const next = rule(state, now);
      const changed = ADAPTIVE_FIELDS.filter((field) => next[field] !== state[field]);
      if (changed.length === 0) return;
      const args = changed.flatMap((field) => [field, String(next[field])]);
      const applied = await runScript(
        this.redis,
        UPDATE_SCRIPT,
        [this.bucketKey(bucket)],
        [version, ...args],
      );
      if (applied === 1) return;
    }
    // Others kept changing the bucket: their updates stand, and this observation is dropped.
  }

  private async observe(
    bucket: string,
    outcome: "accepted" | "refused" | "",
    grantedAt: number,
  ): Promise<{ now: number; version: string; state: AdaptiveState }> {
    const reply = (await runScript(
      this.redis,
      OBSERVE_SCRIPT,
      [this.bucketKey(bucket)],
      ["", outcome, grantedAt],
    )) as string[];
    const [now, version, ...values] = reply;
    const initial = initialAdaptiveState(this.params);
    const state = { ...initial } as Record<AdaptiveField, number>;
    ADAPTIVE_FIELDS.forEach((field, i) => {
      const raw = values[i];
      if (raw !== undefined && raw !== "") state[field] = Number(raw);
    });
    this.seenRates.set(bucket, state.rate);
    return { now: Number(now), version: version ?? "0", state };
  }

  private bucketKey(bucket: string): string {
    return `${this.prefix}:call-rate:${bucket}`;
  }

  private registryKey(): string {
    return `${this.prefix}:call-rate:buckets`;
  }
}

const MAX_CAS_ATTEMPTS = 5;

/** How often one process judges a bucket on behalf of its waiting callers. */
const JUDGE_EVERY_MS = 100;

/**
 * A claim lapses this long after its holder was due back: long enough for a busy event loop to come
 * back, short enough that a claim left behind (its batch gave up at its deadline, or its process
 * died) holds the other processes' batches up for a moment only — heads give up all the time when
 * deadlines bind, and a longer grace measurably starved the others of calls.
 */
const MIN_CLAIM_TTL_MS = 100;

/**
 * "No priority" in Redis: above any epoch-ms deadline, so such callers yield to prioritized ones,
 * and finite (Lua's tonumber knows no "inf"). Priorities beyond it are clamped to it.
 */
const NO_PRIORITY = 9e15;

function claimScore(priority: number): string {
  return String(Math.max(-NO_PRIORITY, Math.min(NO_PRIORITY, priority)));
}

/** The lane of callers asking for the same buckets together. */
const laneKeyOf = (names: readonly string[]): string => names.join("\u0000");

function bucketList(buckets: string | readonly string[]): readonly string[] {
  const names = typeof buckets === "string" ? [buckets] : [...new Set(buckets)];
  if (names.length === 0) throw new Error("acquire needs at least one bucket name");
  return names;
}

/** Builds a limiter; the same as `new CallRateLimiter(options)`. */
export function createCallRateLimiter(options: CallRateLimiterOptions): CallRateLimiter {
  return new CallRateLimiter(options);
}

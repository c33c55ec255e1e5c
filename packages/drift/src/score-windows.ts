/**
 * Score windows in Redis: one hash per (model_version, task, window), field = the rounded value
 * × 10 000, value = its count. Recording a batch is one script call (an HINCRBY per distinct value
 * inside it), so a window costs the same few hundred fields whether it saw a thousand scores or a
 * million, and a batch costs one command however many items it held.
 */
import { runScript } from "@riskq/redis";
import type { Redis } from "ioredis";
import { emptyWindow, SCORE_SCALE, type ScoreWindow, scoreKey } from "./score-window";

/** Windows kept after they close, by default: enough for a reference and a few in a row. */
export const DEFAULT_TTL_WINDOWS = 7;

/** Which windows: the series of one (model_version, task) under the caller's prefix. */
export interface WindowSeries {
  /** The caller's key prefix, a hash tag such as `{riskq}`: every window of a series shares its slot. */
  prefix: string;
  modelVersion: string;
  task: string;
  /** Length of a window; windows start at multiples of it (epoch-aligned). */
  windowMs: number;
}

export interface RecordScoresOptions extends WindowSeries {
  /** The caller's clock (epoch ms): picks the window the scores fall in. */
  now: number;
  /** How many window lengths a window outlives its end (default 7). */
  ttlWindows?: number;
}

/** Start (epoch ms) of the window holding `now`. */
export function windowStartOf(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

/** `<prefix>:drift:<model>:<task>:<windowStart>`. */
export function windowKey(series: Omit<WindowSeries, "windowMs">, windowStart: number): string {
  for (const part of [series.modelVersion, series.task]) {
    // A ":" would let two different (model, task) pairs share a key.
    if (part === "" || part.includes(":"))
      throw new RangeError(`invalid drift key part: ${JSON.stringify(part)}`);
  }
  return `${series.prefix}:drift:${series.modelVersion}:${series.task}:${windowStart}`;
}

/** `<prefix>:drift:series`: the set of every (model, task) that ever recorded scores. */
export const seriesRegistryKey = (prefix: string): string => `${prefix}:drift:series`;

/** A registry member, `<model>:<task>` (neither part may hold a ":", see windowKey). */
function seriesMember(series: Pick<WindowSeries, "modelVersion" | "task">): string {
  return `${series.modelVersion}:${series.task}`;
}

/** Every (model, task) that recorded scores under `prefix`, sorted by model then task. */
export async function listSeries(
  redis: Redis,
  prefix: string,
): Promise<Array<{ modelVersion: string; task: string }>> {
  const members = await redis.smembers(seriesRegistryKey(prefix));
  return members
    .map((member) => {
      const [modelVersion = "", task = ""] = member.split(":");
      return { modelVersion, task };
    })
    .filter((s) => s.modelVersion !== "" && s.task !== "")
    .sort((a, b) => a.modelVersion.localeCompare(b.modelVersion) || a.task.localeCompare(b.task));
}

function checkWindowMs(windowMs: number): void {
  if (!Number.isInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`windowMs must be a positive integer, got ${windowMs}`);
  }
}

// KEYS: window, series registry. ARGV: ttl ms, registry member, then field/count pairs.
const RECORD_SCRIPT = `
for i = 3, #ARGV, 2 do redis.call("HINCRBY", KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call("PEXPIRE", KEYS[1], ARGV[1])
redis.call("SADD", KEYS[2], ARGV[2])
return 1`;

/**
 * Adds `confidences` to the window holding `now`, in one script (the counts and the expiry land
 * together, and a batch costs one command on the worker's hot path). The expiry is relative (PEXPIRE), so it does not depend on Redis's clock agreeing with
 * the caller's. Returns the key and window start; nothing is written for an empty list.
 */
export async function recordScores(
  redis: Redis,
  options: RecordScoresOptions,
  confidences: readonly number[],
): Promise<{ key: string; windowStart: number }> {
  checkWindowMs(options.windowMs);
  const windowStart = windowStartOf(options.now, options.windowMs);
  const key = windowKey(options, windowStart);
  if (confidences.length === 0) return { key, windowStart };

  const counts = new Map<number, number>();
  for (const confidence of confidences) {
    const field = scoreKey(confidence);
    counts.set(field, (counts.get(field) ?? 0) + 1);
  }
  const ttlWindows = options.ttlWindows ?? DEFAULT_TTL_WINDOWS;
  const ttlMs = windowStart + options.windowMs * (1 + ttlWindows) - options.now;
  const pairs: Array<string | number> = [];
  for (const [field, count] of counts) pairs.push(field, count);
  try {
    // The registry of series lets a checker find every (model, task) without scanning keys. By SHA:
    // this runs once per answered call, and EVAL would ship and hash the script's text every time.
    await runScript(
      redis,
      RECORD_SCRIPT,
      [key, seriesRegistryKey(options.prefix)],
      [ttlMs, seriesMember(options), ...pairs],
    );
  } catch (err) {
    throw new Error(
      `recording scores into ${key} failed: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  return { key, windowStart };
}

/** Parses one stored window; a malformed field means the hash is not a score window, so it throws. */
function parseWindow(key: string, hash: Record<string, string>): ScoreWindow {
  const window = emptyWindow();
  for (const [field, value] of Object.entries(hash)) {
    const bucket = Number(field);
    const count = Number(value);
    if (!Number.isInteger(bucket) || bucket < 0 || bucket > SCORE_SCALE || !Number.isInteger(count)) {
      throw new Error(`${key} is not a score window: field ${field} = ${value}`);
    }
    if (count > 0) window.set(bucket, count);
  }
  return window;
}

/** The window stored at `key` (empty when the key does not exist or has expired). */
export async function readWindow(redis: Redis, key: string): Promise<ScoreWindow> {
  return parseWindow(key, await redis.hgetall(key));
}

export interface ReadRecentWindowsOptions extends WindowSeries {
  /** The caller's clock: the first window returned is the one holding it. */
  now: number;
  /** How many consecutive windows to read. */
  count: number;
}

/** A window with where it sits in time. */
export interface StoredWindow {
  windowStart: number;
  key: string;
  window: ScoreWindow;
}

/**
 * The `count` consecutive windows ending with the one holding `now`, newest first (one round trip).
 * The first is usually still filling: pass `now - windowMs` to read closed windows only. A window
 * that saw no scores comes back empty, so "two windows in a row" can never skip over a gap.
 */
export async function readRecentWindows(
  redis: Redis,
  options: ReadRecentWindowsOptions,
): Promise<StoredWindow[]> {
  checkWindowMs(options.windowMs);
  const newest = windowStartOf(options.now, options.windowMs);
  const starts = Array.from({ length: options.count }, (_, i) => newest - i * options.windowMs);
  const keys = starts.map((start) => windowKey(options, start));
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key);
  const results = (await pipeline.exec()) ?? [];
  return keys.map((key, i) => {
    const [error, hash] = results[i] ?? [new Error("no reply"), null];
    if (error) throw new Error(`reading ${key} failed: ${error.message}`);
    return { windowStart: starts[i]!, key, window: parseWindow(key, hash as Record<string, string>) };
  });
}

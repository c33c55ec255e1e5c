/**
 * What riskq knows about a model snapshot beyond its score windows: whether it is marked degraded
 * (flatlined or retired — workers stop using it) and the retirement instant Alipay last announced.
 * The mark lives in one hash per prefix, so a worker reads every mark in one round trip.
 */
import type { Redis } from "ioredis";

/** Why a model is marked degraded. */
export type DegradedReason = "flatline" | "retired";

/** A degraded mark: since when (epoch ms, the marker's clock) and why. */
export interface DegradedMark {
  since: number;
  reason: DegradedReason;
}

/** `<prefix>:drift:degraded`: field = model version, value = the mark as JSON. */
export const degradedKey = (prefix: string): string => `${prefix}:drift:degraded`;

/** `<prefix>:model:<version>:expiry`: the model's announced retirement, ISO 8601. */
export const modelExpiryKey = (prefix: string, modelVersion: string): string =>
  `${prefix}:model:${modelVersion}:expiry`;

/**
 * Marks `modelVersion` degraded. An existing mark is kept (HSETNX): its `since` is when the trouble
 * began, which a later check (or a second reason) must not move. Returns true when newly marked.
 */
export async function markDegraded(
  redis: Redis,
  prefix: string,
  modelVersion: string,
  mark: DegradedMark,
): Promise<boolean> {
  return (await redis.hsetnx(degradedKey(prefix), modelVersion, JSON.stringify(mark))) === 1;
}

/** Removes the mark (the canary spread again). Returns true when there was one. */
export async function clearDegraded(redis: Redis, prefix: string, modelVersion: string): Promise<boolean> {
  return (await redis.hdel(degradedKey(prefix), modelVersion)) === 1;
}

/** Every degraded model with its mark; a field that does not parse is kept as a flatline since 0. */
export async function degradedModels(redis: Redis, prefix: string): Promise<Map<string, DegradedMark>> {
  const marks = new Map<string, DegradedMark>();
  for (const [model, raw] of Object.entries(await redis.hgetall(degradedKey(prefix)))) {
    marks.set(model, parseMark(raw));
  }
  return marks;
}

/** The mark of one model, or undefined when it is healthy. */
export async function isDegraded(
  redis: Redis,
  prefix: string,
  modelVersion: string,
): Promise<DegradedMark | undefined> {
  const raw = await redis.hget(degradedKey(prefix), modelVersion);
  return raw === null ? undefined : parseMark(raw);
}

function parseMark(raw: string): DegradedMark {
  // A mark we cannot read must still stop the model: erring towards "degraded" is the safe side.
  try {
    const value = JSON.parse(raw) as Partial<DegradedMark>;
    const reason = value.reason === "retired" ? "retired" : "flatline";
    return { since: typeof value.since === "number" ? value.since : 0, reason };
  } catch {
    return { since: 0, reason: "flatline" };
  }
}

/** Stores the retirement instant Alipay announced for `modelVersion` (one SET). */
export async function recordModelExpiry(
  redis: Redis,
  prefix: string,
  modelVersion: string,
  expiresAt: Date,
): Promise<void> {
  await redis.set(modelExpiryKey(prefix, modelVersion), expiresAt.toISOString());
}

/** The stored retirement instant (epoch ms), or undefined when none was ever announced. */
export async function readModelExpiry(
  redis: Redis,
  prefix: string,
  modelVersion: string,
): Promise<number | undefined> {
  const raw = await redis.get(modelExpiryKey(prefix, modelVersion));
  const at = raw === null ? Number.NaN : Date.parse(raw);
  return Number.isNaN(at) ? undefined : at;
}

import { type DegradedMark, degradedModels } from "@riskq/drift";
import type { Redis } from "ioredis";

export interface ModelHealthCacheOptions {
  redis: Redis;
  prefix: string;
  /** How long one read of the marks is trusted (default 5 s; 0 reads on every call). */
  ttlMs?: number | undefined;
  now?: () => number;
}

/**
 * The degraded marks as this process sees them: one HGETALL at most every `ttlMs`, shared by every
 * job (a busy worker asks thousands of times a second). A mark therefore takes effect within
 * `ttlMs`; jobs scored in between are what the later re-scoring of flatlined jobs is for.
 */
export function createModelHealthCache(options: ModelHealthCacheOptions) {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  let marks: Map<string, DegradedMark> = new Map();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<Map<string, DegradedMark>> | undefined;

  const fresh = async (): Promise<Map<string, DegradedMark>> => {
    if (now() - readAt < ttlMs) return marks;
    // Single-flight: concurrent jobs share the read in progress.
    reading ??= degradedModels(options.redis, options.prefix)
      .then((read) => {
        marks = read;
        readAt = now();
        return read;
      })
      // Redis unreachable: keep the marks last read rather than fail every job; the next call retries.
      .catch(() => marks)
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return {
    /** The mark of `modelVersion`, or undefined when it is usable. */
    async degraded(modelVersion: string): Promise<DegradedMark | undefined> {
      return (await fresh()).get(modelVersion);
    },
  };
}

export type ModelHealthCache = ReturnType<typeof createModelHealthCache>;

import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Runs a Lua script by its SHA (one small EVALSHA on the hot path), loading it with EVAL on the first
 * NOSCRIPT — a server that never saw it, or forgot it after a restart or a flush. On a Redis Cluster
 * every key of one call must share a slot: riskq's keys do, through the prefix's hash tag.
 */
export async function runScript(
  redis: Redis,
  script: string,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  const sha = sha1(script);
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

const shas = new Map<string, string>();
function sha1(script: string): string {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash("sha1").update(script).digest("hex");
    shas.set(script, sha);
  }
  return sha;
}

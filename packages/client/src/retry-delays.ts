import type { RetryOptions } from "./client-options";

/**
 * Wait before retry number `retry` (0 for the first retry): "full jitter", a uniform random time in
 * [0, min(capMs, baseMs·2^retry)]. Randomising the whole interval spreads producers that failed
 * together, so they do not hit a recovering API in lockstep.
 */
export function fullJitterDelay(
  retry: number,
  retries: RetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(retries.capMs, retries.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Wait asked for by a 429: the server's `Retry-After` (capped at `capMs`, since the caller's latency
 * budget wins over the server's hint), plus up to `baseMs` of jitter below the cap so that producers
 * told the same number do not all come back in the same millisecond.
 */
export function retryAfterDelay(
  retryAfterS: number,
  retries: RetryOptions,
  random: () => number = Math.random,
): number {
  const asked = retryAfterS * 1000;
  if (asked >= retries.capMs) return retries.capMs;
  return Math.min(retries.capMs, asked + Math.floor(random() * retries.baseMs));
}

/**
 * Seconds from a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

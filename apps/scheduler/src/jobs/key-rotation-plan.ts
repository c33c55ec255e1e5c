import type { KnownKey } from "@riskq/alipay";

/**
 * When the key-rotation job must run next, from the keys' own instants (docs/alipay-ai-api.md §3–4).
 *
 * Every instant here is epoch milliseconds and every step is an addition of a fixed duration to an
 * instant the key list gave us. Nothing is read or computed on a wall clock, so neither the host's
 * time zone nor its DST changes can move a check: a 23-hour or 25-hour local day is just 23 or 25
 * hours of instants, with the one rotation that falls in them (rotations are 24 h apart in absolute
 * time, 02:30 Asia/Shanghai = 18:30 UTC by default).
 */

const MINUTE_MS = 60_000;
/** The next key is listed this long before its not_before (docs/alipay-ai-api.md §4). */
export const PUBLISH_AHEAD_MS = 60 * MINUTE_MS;
/**
 * Lag after the publication instant: a host clock a little ahead of Alipay's would otherwise ask
 * before the key is listed and fall into the retry loop below.
 */
export const PUBLISH_LAG_MS = MINUTE_MS;
/**
 * Lag after a key's not_before before the switch check. The client keeps the old key for 30 s past
 * the boundary (clock skew, see pickKey) and the server accepts it 5 min past its expiry, so one
 * minute after the switch the new key is the one in use and the old one is still accepted.
 */
export const SWITCH_LAG_MS = MINUTE_MS;
/** How soon to ask again when a key that should be listed is not (or a fetch failed). */
export const RETRY_MS = 5 * MINUTE_MS;
/**
 * Longest quiet stretch by default: a forced rotation (docs/alipay-ai-api.md §10) cannot be foreseen from the
 * list, so some check must come without a reason. The hourly UTC fallback run covers the same.
 */
export const DEFAULT_MAX_INTERVAL_MS = 6 * 60 * MINUTE_MS;

export interface KeyCheckOptions {
  /**
   * Upper bound on the gap between checks. Set it under the 5-min grace (e.g. 4 min) to pick up a
   * forced rotation before the old key is refused; default DEFAULT_MAX_INTERVAL_MS.
   */
  maxIntervalMs?: number | undefined;
}

/** The key whose own window holds `now` (no grace): the newest when windows touch. */
function keyInForce(keys: readonly KnownKey[], now: number): KnownKey | undefined {
  let best: KnownKey | undefined;
  for (const k of keys) {
    if (k.notBefore <= now && now < k.expiresAt && (!best || k.notBefore > best.notBefore)) best = k;
  }
  return best;
}

/** The key that follows `current` in the chain (starts at or after its expiry), if already listed. */
function successorOf(keys: readonly KnownKey[], current: KnownKey): KnownKey | undefined {
  let next: KnownKey | undefined;
  for (const k of keys) {
    if (k.keyId === current.keyId || k.notBefore < current.expiresAt) continue;
    if (!next || k.notBefore < next.notBefore) next = k;
  }
  return next;
}

/**
 * The next instant (epoch ms) the rotation job must run:
 * - current key begun less than SWITCH_LAG_MS ago → its not_before + SWITCH_LAG_MS (the switch check);
 * - successor known → its not_before + SWITCH_LAG_MS (the switch; never later than the current
 *   key's expires_at + SWITCH_LAG_MS, well inside the 5-min grace);
 * - successor unknown → when it gets listed: the current key's expires_at − 60 min + PUBLISH_LAG_MS,
 *   or, once that moment has passed without it, every RETRY_MS (and just after the current key ends);
 * - no key in force → RETRY_MS from now;
 * and in every case no later than `maxIntervalMs` from now.
 */
export function nextKeyCheckAt(
  keys: readonly KnownKey[],
  now: number,
  options: KeyCheckOptions = {},
): number {
  const latest = now + (options.maxIntervalMs ?? DEFAULT_MAX_INTERVAL_MS);
  const current = keyInForce(keys, now);
  if (!current) return Math.min(now + RETRY_MS, latest);
  // Run (by chance) inside the first SWITCH_LAG_MS of a key: the switch check is still to come.
  if (now < current.notBefore + SWITCH_LAG_MS) return Math.min(current.notBefore + SWITCH_LAG_MS, latest);
  const successor = successorOf(keys, current);
  if (successor) {
    return Math.min(Math.min(successor.notBefore, current.expiresAt) + SWITCH_LAG_MS, latest);
  }
  const listedAt = current.expiresAt - PUBLISH_AHEAD_MS + PUBLISH_LAG_MS;
  // Overdue: ask again soon, and at the latest just after the current key ends.
  const retry = Math.min(now + RETRY_MS, current.expiresAt + SWITCH_LAG_MS);
  return Math.min(listedAt > now ? listedAt : retry, latest);
}

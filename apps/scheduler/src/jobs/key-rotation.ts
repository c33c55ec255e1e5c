import type { AlipayClient, KnownKey } from "@riskq/alipay";
import type { Logger } from "@riskq/observability";
import { nextKeyCheckAt, RETRY_MS, SWITCH_LAG_MS } from "./key-rotation-plan";

export interface KeyRotationDeps {
  alipay: Pick<AlipayClient, "fetchKeys" | "knownKeys" | "currentKey">;
  now: () => number;
  logger: Pick<Logger, "debug" | "info" | "warn">;
  /**
   * The key id the previous run returned (carry it in the next delayed job's data): a switch is
   * then logged exactly once. Without it the switch is inferred from the stored key list.
   */
  lastKeyId?: string | undefined;
  /** See KeyCheckOptions.maxIntervalMs. */
  maxIntervalMs?: number | undefined;
}

export interface KeyRotationResult {
  /** Epoch ms of the next run (schedule it as a delay from now, never as a local time of day). */
  nextCheckAt: number;
  /** The key the client encrypts with now. */
  keyId: string;
}

/**
 * The key-rotation job (docs/alipay-ai-api.md §3–4): refreshes the key list from Alipay, logs a switch of the key
 * in use, and plans the next run at the next instant the list says something happens (a key gets
 * listed, a key takes over). The key each call encrypts with is still picked per call by instant
 * (pickKey), so a late run never makes a call use an expired key; the job keeps the list fresh so
 * that pick never has to fetch on the hot path.
 */
export async function rotateKeysJob(deps: KeyRotationDeps): Promise<KeyRotationResult> {
  const { alipay, logger } = deps;
  const stored = await alipay.knownKeys();
  let keys = stored;
  let fetchFailed = false;
  // Every run asks Alipay: runs are a handful a day, and only the list reveals a forced rotation
  // (which cuts the current key short) — so "successor unknown or current close to expiry" is
  // always covered, and so is the unforeseeable case.
  try {
    keys = await alipay.fetchKeys();
  } catch (err) {
    fetchFailed = true;
    logger.warn({ err }, "key rotation: could not fetch the AES key list; keeping the stored one");
  }
  const now = deps.now();
  const active = await alipay.currentKey(now);

  const previousId = deps.lastKeyId ?? inferredPredecessor([...stored, ...keys], active, now)?.keyId;
  if (previousId !== undefined && previousId !== active.keyId) {
    logger.info(
      {
        fromKeyId: previousId,
        toKeyId: active.keyId,
        notBefore: new Date(active.notBefore).toISOString(),
        expiresAt: new Date(active.expiresAt).toISOString(),
      },
      "AES key switched",
    );
  }

  let nextCheckAt = nextKeyCheckAt(keys, now, { maxIntervalMs: deps.maxIntervalMs });
  if (fetchFailed) nextCheckAt = Math.min(nextCheckAt, now + RETRY_MS);
  logger.debug(
    {
      keyId: active.keyId,
      knownKeyIds: keys.map((k) => k.keyId),
      nextCheckAt: new Date(nextCheckAt).toISOString(),
    },
    "key rotation: next check planned",
  );
  return { nextCheckAt, keyId: active.keyId };
}

/**
 * Without the previous run's key id: the key that ended where the active one began, counted only
 * by the run planned for the switch (or its retries), so later runs do not log the same switch.
 */
function inferredPredecessor(keys: readonly KnownKey[], active: KnownKey, now: number): KnownKey | undefined {
  if (now >= active.notBefore + SWITCH_LAG_MS + RETRY_MS) return undefined;
  return keys.find(
    (k) => k.keyId !== active.keyId && k.notBefore < active.notBefore && k.expiresAt <= active.notBefore,
  );
}

import { type AesKey, API_PATHS, keyListSchema } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";
import type { Clock } from "./clock";
import { KeyRejected } from "./errors/key-rejected";
import { ResponseInvalid } from "./errors/response-invalid";
import type { SecretBox } from "./secret-box";
import type { SignedCallRequest, SignedCallResponse } from "./wire/signed-call";

/** A key with its window as instants (epoch ms). */
export interface KnownKey {
  keyId: string;
  aesKey: string;
  notBefore: number;
  expiresAt: number;
}

export interface AesKeysOptions {
  redis: Redis;
  /** Redis key prefix, e.g. "{riskq}". */
  prefix: string;
  box: SecretBox;
  clock: Clock;
  logger: Pick<Logger, "info" | "warn">;
  call: (req: Omit<SignedCallRequest, "timeoutMs"> & { timeoutMs?: number }) => Promise<SignedCallResponse>;
  /** How long a process trusts its cached copy before re-reading Redis. */
  cacheTtlMs?: number;
}

// Clock skew between us and Alipay must not turn into invalid-signature at a rotation: switch to a
// new key only once it has been in force for SWITCH_AFTER_MS, and keep using the old one meanwhile
// (the server accepts it for 5 minutes past its expiry; we use at most KEEP_USING_MS of that).
const SWITCH_AFTER_MS = 30_000;
const KEEP_USING_MS = 60_000;
// The next key is published 60 min ahead; look for it from 55 min before the current one expires.
const LOOK_AHEAD_MS = 55 * 60_000;
const KEEP_EXPIRED_MS = 10 * 60_000;

/**
 * The AES key store (docs/alipay-ai-api.md §3–4): current and next keys with their windows, shared through Redis
 * (sealed at rest), cached per process for a short TTL, and picked by absolute instant at call time —
 * never by a wall-clock schedule, so DST and host time zones cannot matter.
 */
export class AesKeys {
  private cache: { keys: KnownKey[]; loadedAt: number } | undefined;
  private readonly redisKey: string;
  private readonly cacheTtlMs: number;
  private inflightFetch: Promise<KnownKey[]> | undefined;

  constructor(private readonly options: AesKeysOptions) {
    this.redisKey = `${options.prefix}:alipay:aes-keys`;
    this.cacheTtlMs = options.cacheTtlMs ?? 30_000;
  }

  /** The key to encrypt with at `now`, fetching from Alipay when none known is usable (or the next is due). */
  async currentKey(now = this.options.clock.now()): Promise<KnownKey> {
    let keys = await this.known(now);
    let key = pickKey(keys, now);
    const successorKnown = key && keys.some((k) => k.notBefore >= key!.expiresAt);
    if (!key || (!successorKnown && key.expiresAt - now <= LOOK_AHEAD_MS)) {
      keys = await this.fetchKeys().catch((err) => {
        // With a usable key in hand, a failed early fetch is only a warning; without one it is fatal.
        if (!key) throw err;
        this.options.logger.warn({ err }, "could not fetch the next AES key early; keeping the current one");
        return keys;
      });
      key = pickKey(keys, now);
    }
    if (!key) throw new KeyRejected(`no AES key valid at ${new Date(now).toISOString()} in the key list`);
    return key;
  }

  /** Fetches the key list from Alipay and stores it (merged with still-useful known keys). */
  fetchKeys(): Promise<KnownKey[]> {
    // One fetch per process at a time: a burst of calls after a rotation must not stampede.
    this.inflightFetch ??= this.fetchAndStore().finally(() => {
      this.inflightFetch = undefined;
    });
    return this.inflightFetch;
  }

  /** Everything known right now, for status displays and the rotation job. */
  async list(): Promise<KnownKey[]> {
    return this.known(this.options.clock.now());
  }

  private async fetchAndStore(): Promise<KnownKey[]> {
    const res = await this.options.call({
      operation: "key query",
      method: "POST",
      path: API_PATHS.keyQuery,
      body: {},
    });
    const parsed = keyListSchema.safeParse(res.json);
    if (!parsed.success)
      throw new ResponseInvalid(`key query: ${parsed.error.issues[0]?.message ?? "bad shape"}`);
    const now = this.options.clock.now();
    const listed = parsed.data.keys.map(toKnown);
    const previous = (await this.readRedis()).flatMap((k) => reconcile(k, listed));
    const merged = new Map<string, KnownKey>();
    for (const k of [...previous, ...listed]) {
      if (k.expiresAt + KEEP_EXPIRED_MS > now) merged.set(k.keyId, k);
    }
    const keys = [...merged.values()].sort((a, b) => a.notBefore - b.notBefore);
    await this.options.redis.set(this.redisKey, this.options.box.seal(JSON.stringify(keys), this.redisKey));
    this.cache = { keys, loadedAt: Date.now() };
    this.options.logger.info({ keyIds: keys.map((k) => k.keyId) }, "AES keys refreshed");
    return keys;
  }

  private async known(now: number): Promise<KnownKey[]> {
    if (this.cache && Date.now() - this.cache.loadedAt < this.cacheTtlMs && pickKey(this.cache.keys, now)) {
      return this.cache.keys;
    }
    const keys = await this.readRedis();
    this.cache = { keys, loadedAt: Date.now() };
    return keys;
  }

  private async readRedis(): Promise<KnownKey[]> {
    const sealed = await this.options.redis.get(this.redisKey);
    if (!sealed) return [];
    try {
      return JSON.parse(this.options.box.open(sealed, this.redisKey)) as KnownKey[];
    } catch (err) {
      // Sealed under another RISKQ_SECRET_KEY (or damaged): refetching from Alipay repairs it.
      this.options.logger.warn({ err }, "stored AES keys cannot be opened; they will be refetched");
      return [];
    }
  }
}

/** The newest key in force for at least SWITCH_AFTER_MS, else the newest usable at `now`. */
export function pickKey(keys: readonly KnownKey[], now: number): KnownKey | undefined {
  const inForce = keys.filter((k) => k.notBefore <= now && now < k.expiresAt + KEEP_USING_MS);
  const settled = inForce.filter((k) => k.notBefore + SWITCH_AFTER_MS <= now);
  const pool = settled.length > 0 ? settled : inForce;
  return pool.sort((a, b) => b.notBefore - a.notBefore)[0];
}

/**
 * A known key as the fetched list leaves it. The list is the truth for the instants it covers, and
 * keys form a chain without overlaps: a known key overlapping a listed key of another id was cut
 * short by a forced rotation (its window now ends where the listed key begins), or, when the listed
 * key began first, it was cancelled or never real. Kept as it was, it would win `pickKey` and be
 * refused with invalid-signature after every refetch.
 */
function reconcile(known: KnownKey, listed: readonly KnownKey[]): KnownKey[] {
  let expiresAt = known.expiresAt;
  for (const l of listed) {
    if (l.keyId === known.keyId || l.notBefore >= expiresAt || known.notBefore >= l.expiresAt) continue;
    expiresAt = Math.min(expiresAt, l.notBefore);
  }
  return expiresAt > known.notBefore ? [{ ...known, expiresAt }] : [];
}

function toKnown(k: AesKey): KnownKey {
  return {
    keyId: k.key_id,
    aesKey: k.aes_key,
    notBefore: Date.parse(k.not_before),
    expiresAt: Date.parse(k.expires_at),
  };
}

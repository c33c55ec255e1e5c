import type { Redis } from "ioredis";
import type { SecretBox } from "./secret-box";

/** A merchant's tokens as stored (sealed) in Redis. Instants in epoch ms of the client's clock. */
export interface MerchantTokenRecord {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  refreshExpiresAt: number;
}

export interface StoredToken {
  record: MerchantTokenRecord;
  /** Bumped on every write: the fence that stops a stale writer from overwriting a newer token. */
  version: number;
  /** The remote answered this version with a silent drop: refresh before using it again. */
  stale: boolean;
}

export type MerchantStatus =
  | { state: "active" }
  | { state: "reauth_required"; reason: string; since: number };

// Writes `sealed` only if the stored version is still the one the writer started from.
const WRITE_IF_VERSION = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'sealed', ARGV[2], 'version', current + 1, 'stale', '0')
return current + 1`;

// KEYS: token, merchants set, status. ARGV: sealed record, merchant id. Reading the version and
// writing the next one in one script: two onboardings racing must never store the same version
// (the fence that stale refreshes and late 401s are judged by).
const REPLACE = `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0') + 1
redis.call('HSET', KEYS[1], 'sealed', ARGV[1], 'version', version, 'stale', '0')
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[3])
return version`;

// KEYS: token, status. ARGV: version the caller used ('' for any), reason, since. A refusal of a
// token older than the stored one says nothing about the stored one (a re-onboarding came between).
const MARK_REAUTH_REQUIRED = `
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'state', 'reauth_required', 'reason', ARGV[2], 'since', ARGV[3])
return 1`;

const MAX_OPENED = 10_000;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Redis persistence of merchant tokens (sealed at rest), their status, and the refresh lock.
 * All keys of one merchant share the `prefix` hash tag, so the scripts work on Redis Cluster.
 */
export class MerchantTokenStore {
  /**
   * The last record opened per Redis key, by its sealed text: every scoring call reads its merchant's
   * token, and while the stored text is unchanged, opening it again (AES-GCM, JSON) gives the same
   * record. A changed text — refresh, re-onboarding, another secret key — is opened afresh.
   */
  private readonly opened = new Map<string, { sealed: string; record: MerchantTokenRecord }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly box: SecretBox,
  ) {}

  private key(merchantId: string, part: string): string {
    return `${this.prefix}:merchant:${merchantId}:${part}`;
  }

  async read(merchantId: string): Promise<StoredToken | undefined> {
    const key = this.key(merchantId, "token");
    const fields = await this.redis.hgetall(key);
    if (!fields.sealed || !fields.version) return undefined;
    return {
      record: this.open(key, fields.sealed),
      version: Number(fields.version),
      stale: fields.stale === fields.version,
    };
  }

  private open(key: string, sealed: string): MerchantTokenRecord {
    const known = this.opened.get(key);
    if (known?.sealed === sealed) return { ...known.record };
    const record = JSON.parse(this.box.open(sealed, key)) as MerchantTokenRecord;
    // Bounded: a process serving a huge merchant base keeps only recent ones rather than growing.
    if (this.opened.size >= MAX_OPENED) this.opened.clear();
    this.opened.set(key, { sealed, record: { ...record } });
    return record;
  }

  /** Compare-and-set on the version; returns the new version, or undefined when someone wrote first. */
  async writeIfVersion(merchantId: string, expectedVersion: number, record: MerchantTokenRecord) {
    const key = this.key(merchantId, "token");
    const sealed = this.box.seal(JSON.stringify(record), key);
    const result = (await this.redis.eval(WRITE_IF_VERSION, 1, key, expectedVersion, sealed)) as number;
    return result < 0 ? undefined : result;
  }

  /** Onboarding replaces whatever was there; returns the version it stored. */
  async replace(merchantId: string, record: MerchantTokenRecord): Promise<number> {
    const key = this.key(merchantId, "token");
    const sealed = this.box.seal(JSON.stringify(record), key);
    return (await this.redis.eval(
      REPLACE,
      3,
      key,
      `${this.prefix}:merchants`,
      this.key(merchantId, "status"),
      sealed,
      merchantId,
    )) as number;
  }

  /** Marks a version as answered with a silent drop; a newer version is left alone. */
  async markStale(merchantId: string, version: number): Promise<void> {
    await this.redis.eval(
      "if redis.call('HGET', KEYS[1], 'version') == ARGV[1] then redis.call('HSET', KEYS[1], 'stale', ARGV[1]) end",
      1,
      this.key(merchantId, "token"),
      String(version),
    );
  }

  async status(merchantId: string): Promise<MerchantStatus> {
    const fields = await this.redis.hgetall(this.key(merchantId, "status"));
    if (fields.state === "reauth_required") {
      return { state: "reauth_required", reason: fields.reason ?? "", since: Number(fields.since) };
    }
    return { state: "active" };
  }

  /**
   * Marks the merchant for re-authorisation. With `version` (the token version the refused call
   * used), only while that version is still the stored one: returns false when a newer token was
   * stored meanwhile, which the refusal is not about.
   */
  async markReauthRequired(
    merchantId: string,
    reason: string,
    now: number,
    version?: number,
  ): Promise<boolean> {
    const marked = await this.redis.eval(
      MARK_REAUTH_REQUIRED,
      2,
      this.key(merchantId, "token"),
      this.key(merchantId, "status"),
      version === undefined ? "" : String(version),
      reason,
      now,
    );
    return marked === 1;
  }

  async merchants(): Promise<string[]> {
    return (await this.redis.smembers(`${this.prefix}:merchants`)).sort();
  }

  /** SET NX PX: true when this holder now owns the merchant's refresh lock. */
  async acquireRefreshLock(merchantId: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key(merchantId, "refresh-lock"), holder, "PX", ttlMs, "NX")) === "OK";
  }

  async holdsRefreshLock(merchantId: string, holder: string): Promise<boolean> {
    return (await this.redis.get(this.key(merchantId, "refresh-lock"))) === holder;
  }

  async releaseRefreshLock(merchantId: string, holder: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.key(merchantId, "refresh-lock"), holder);
  }

  async refreshLockHeld(merchantId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(merchantId, "refresh-lock"))) === 1;
  }
}

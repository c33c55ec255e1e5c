import { SecretBox } from "@riskq/alipay";
import type { Redis } from "ioredis";

/** A process's captured output, as scanned. */
export interface CapturedLog {
  name: string;
  text: string;
}

/** A secret found where it must never be: which process printed which kind of secret (never the secret). */
export interface Leak {
  process: string;
  what: string;
}

/** Secrets shorter than this are not scanned for: they would match by chance. */
const MIN_SECRET_LENGTH = 12;

/**
 * Every secret a run handled — the ones the test configured (RISKQ_SECRET_KEY, API key, callback
 * secret, the app's RSA private key) and the ones that came and went while it ran (merchant access
 * and refresh tokens, auth codes, AES keys), harvested from Redis under the stack's prefix by
 * opening the sealed records with the secret key, as the apps do.
 */
export class SecretHarvest {
  /** secret → what it is. */
  private readonly secrets = new Map<string, string>();
  /** Whole card fingerprints (64 hex): logs may show them masked only. Many, so looked up, not searched. */
  private readonly fingerprints = new Set<string>();
  private readonly box: SecretBox;
  private timer: NodeJS.Timeout | undefined;
  private harvesting: Promise<void> | undefined;
  /** Reads that failed (Redis down mid-chaos): counted, and the next poll tries again. */
  failedReads = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** RISKQ_SECRET_KEY as configured (base64 of 32 bytes). */
    secretKeyBase64: string,
  ) {
    const key = Buffer.from(secretKeyBase64, "base64");
    this.box = new SecretBox(key);
    this.add(secretKeyBase64, "RISKQ_SECRET_KEY");
    this.add(key.toString("hex"), "RISKQ_SECRET_KEY (hex)");
  }

  /** Adds a secret by kind, e.g. `add(apiKey, "API key")`. */
  add(secret: string, what: string): this {
    if (secret.length >= MIN_SECRET_LENGTH) this.secrets.set(secret, what);
    return this;
  }

  /** The body lines of a PEM private key: any one of them in a log is a leak of the key. */
  addPrivateKeyPem(pem: string, what: string): this {
    for (const line of pem.split("\n")) {
      if (!line.startsWith("-----") && line.trim().length >= 40) this.add(line.trim(), what);
    }
    return this;
  }

  /** Whole card fingerprints of the requests sent (a log may carry them masked, never whole). */
  addCardFingerprints(fingerprints: Iterable<string | undefined>): this {
    for (const f of fingerprints) if (f && /^[0-9a-f]{64}$/.test(f)) this.fingerprints.add(f);
    return this;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Counts of the secrets by kind (for the log: proves the harvest found tokens and keys). */
  kinds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const what of this.secrets.values()) out[what] = (out[what] ?? 0) + 1;
    if (this.fingerprints.size > 0) out["card fingerprint"] = this.fingerprints.size;
    return out;
  }

  /** Reads every merchant's tokens and the AES key list once. */
  harvest(): Promise<void> {
    this.harvesting ??= this.readAll()
      .catch(() => {
        this.failedReads += 1;
      })
      .finally(() => {
        this.harvesting = undefined;
      });
    return this.harvesting;
  }

  /** Harvests now and every `everyMs` until `stop` (tokens are replaced on refresh and re-onboarding). */
  start(everyMs = 250): this {
    void this.harvest();
    this.timer = setInterval(() => void this.harvest(), everyMs);
    return this;
  }

  /** Stops polling, after one last harvest. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.harvesting;
    await this.harvest();
  }

  /** Which kinds of secret appear in which logs. */
  leaksIn(logs: readonly CapturedLog[]): Leak[] {
    const leaks: Leak[] = [];
    for (const log of logs) {
      const found = new Set<string>();
      for (const [secret, what] of this.secrets) if (log.text.includes(secret)) found.add(what);
      for (const [hex] of log.text.matchAll(/(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g)) {
        if (this.fingerprints.has(hex)) found.add("card fingerprint");
      }
      for (const what of found) leaks.push({ process: log.name, what });
    }
    return leaks;
  }

  private async readAll(): Promise<void> {
    const merchants = await this.redis.smembers(`${this.prefix}:merchants`);
    for (const merchantId of merchants) {
      const key = `${this.prefix}:merchant:${merchantId}:token`;
      const sealed = await this.redis.hget(key, "sealed");
      if (!sealed) continue;
      const record = JSON.parse(this.box.open(sealed, key)) as { accessToken: string; refreshToken: string };
      this.add(record.accessToken, "merchant access token");
      this.add(record.refreshToken, "merchant refresh token");
    }
    const keysKey = `${this.prefix}:alipay:aes-keys`;
    const sealedKeys = await this.redis.get(keysKey);
    if (sealedKeys) {
      for (const k of JSON.parse(this.box.open(sealedKeys, keysKey)) as { keyId: string; aesKey: string }[]) {
        this.add(k.aesKey, "AES key");
      }
    }
  }
}

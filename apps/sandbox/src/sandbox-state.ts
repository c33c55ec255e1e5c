import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { createRng, hashSeed, type Rng } from "@riskq/synthetic";
import { AesKeySchedule } from "./aes-key-schedule";
import { appLimit, batchLimit, defaultFaults, type FaultState, type LatencyProfile } from "./faults";
import { Ledger } from "./ledger";
import { createRiskModel, type RiskModel } from "./model";
import { ModelCatalog } from "./model-catalog";
import { NonceWindow } from "./nonce-window";
import { TokenBucket } from "./token-buckets";
import { TokenIssuer } from "./token-issuer";
import { VirtualClock } from "./virtual-clock";

export interface SandboxOptions {
  appId: string;
  seed: number;
  tokenTtlS: number;
  keyLifetimeS: number;
  keyGraceS: number;
  latencyProfile: LatencyProfile;
  appPublicKey: string;
  platformPrivateKey: string;
}

const DAY_MS = 86_400_000;
/** Accounts younger than this get the 50-item batch limit (docs/alipay-ai-api.md §6.4). */
const YOUNG_ACCOUNT_MS = 183 * DAY_MS;

/**
 * Everything the sandbox remembers, and its reset (docs/alipay-ai-api.md §10): same seed + reset + same calls
 * → same answers. Each kind of randomness has its own seeded stream so that, say, a latency draw
 * never shifts the tokens handed out.
 */
export class SandboxState {
  readonly clock = new VirtualClock();
  readonly nonces = new NonceWindow();
  readonly ledger = new Ledger();
  readonly keys: AesKeySchedule;
  readonly tokens: TokenIssuer;
  readonly models: ModelCatalog;
  readonly model: RiskModel;
  /** Parsed once: PEM parsing on every call would cost more than the signature itself. */
  readonly appPublicKey: KeyObject;
  readonly platformPrivateKey: KeyObject;
  faults: FaultState;
  accountCreatedAt = 0;
  appBucket: TokenBucket;
  batchBucket: TokenBucket;
  idRng!: Rng;
  faultRng!: Rng;
  latencyRng!: Rng;

  constructor(readonly options: SandboxOptions) {
    this.appPublicKey = createPublicKey(options.appPublicKey);
    this.platformPrivateKey = createPrivateKey(options.platformPrivateKey);
    this.keys = new AesKeySchedule({
      seed: options.seed,
      lifetimeMs: options.keyLifetimeS * 1000,
      graceMs: options.keyGraceS * 1000,
    });
    this.tokens = new TokenIssuer({
      appId: options.appId,
      tokenTtlS: options.tokenTtlS,
      randomId: (prefix) => prefix + randomToken(this.idRng),
      randomMerchantId: () => `2088${String(this.idRng.int(0, 999_999_999_999)).padStart(12, "0")}`,
    });
    this.models = new ModelCatalog(this.clock.now());
    this.model = createRiskModel({ seed: options.seed });
    this.faults = defaultFaults(options.latencyProfile);
    this.appBucket = new TokenBucket(appLimit(this.faults), Date.now());
    this.batchBucket = new TokenBucket(batchLimit(this.faults), Date.now());
    this.reset();
  }

  reset(): void {
    const { seed, latencyProfile } = this.options;
    this.clock.reset();
    const t0 = this.clock.now();
    this.nonces.clear();
    Object.assign(this.ledger, new Ledger());
    this.keys.reset();
    this.tokens.reset();
    this.models.place(t0);
    this.model.reset();
    this.faults = defaultFaults(latencyProfile);
    this.accountCreatedAt = t0 - 365 * DAY_MS;
    this.appBucket = new TokenBucket(appLimit(this.faults), Date.now());
    this.batchBucket = new TokenBucket(batchLimit(this.faults), Date.now());
    this.idRng = createRng(hashSeed(seed, "ids"));
    this.faultRng = createRng(hashSeed(seed, "faults"));
    this.latencyRng = createRng(hashSeed(seed, "latency"));
  }

  setFaults(faults: FaultState): void {
    this.faults = faults;
    const now = Date.now();
    this.appBucket.setLimit(appLimit(faults), now);
    this.batchBucket.setLimit(batchLimit(faults), now);
  }

  isYoungAccount(now: number): boolean {
    return now - this.accountCreatedAt < YOUNG_ACCOUNT_MS;
  }

  snapshot() {
    const now = this.clock.now();
    return {
      clock: { now: new Date(now).toISOString(), offset_ms: this.clock.offset },
      models: this.models.list(now),
      keys: this.keys.listedAt(now).map((k) => ({
        key_id: k.keyId,
        not_before: new Date(k.notBefore).toISOString(),
        expires_at: new Date(k.expiresAt).toISOString(),
      })),
      merchants: this.tokens.list(),
      account_created_at: new Date(this.accountCreatedAt).toISOString(),
      faults: this.faults,
    };
  }
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
function randomToken(rng: Rng): string {
  let out = "";
  for (let i = 0; i < 32; i++) out += ALPHABET[Math.floor(rng.next() * ALPHABET.length)];
  return out;
}

import { Gauge, type Registry } from "prom-client";
import { collectErrors } from "./registry";
import { sharedRead } from "./shared-read";

/** What the Alipay client tells about credentials (its methods, structurally); never a secret. */
export interface CredentialSource {
  /** Every onboarded merchant. */
  listMerchants(): Promise<string[]>;
  /** When the merchant's access token expires (epoch ms), undefined when none is stored. */
  tokenExpiry(merchantId: string): Promise<number | undefined>;
  /** The AES keys known right now, with their windows (epoch ms). */
  knownKeys(): Promise<ReadonlyArray<{ notBefore: number; expiresAt: number }>>;
}

export interface CredentialMetricsOptions {
  source: CredentialSource;
  /** The Alipay client's clock (epoch ms): which AES key is in force is decided on it. */
  now: () => number;
  /**
   * At most this many merchant series (default 200): past it only the soonest-expiring tokens are
   * exported, so a large merchant base cannot blow up cardinality and the ones that matter show.
   */
  maxMerchants?: number;
}

/**
 * Credential freshness, read from Redis at scrape time: when each merchant's access token expires,
 * and when the AES key in force and the last known key expire. Instants, not "seconds left": the
 * value changes only when a credential does, and rules compare it with `time()` (Prometheus's
 * convention for `_timestamp_seconds`). They are on the Alipay client's clock, the system clock in
 * production. The process that refreshes and rotates them (riskq: the scheduler) exports these.
 */
export function credentialMetrics(registry: Registry, options: CredentialMetricsOptions): void {
  const errors = collectErrors(registry);
  const maxMerchants = options.maxMerchants ?? 200;
  const seconds = (at: number) => at / 1_000;

  new Gauge({
    name: "riskq_merchant_token_expiry_timestamp_seconds",
    help: "When the merchant's Alipay access token expires (Unix seconds); one series per merchant",
    labelNames: ["merchant"],
    registers: [registry],
    async collect() {
      this.reset();
      let expiries: Array<{ merchant: string; expiresAt: number }>;
      try {
        const merchants = await options.source.listMerchants();
        const read = await Promise.all(
          merchants.map(async (merchant) => ({
            merchant,
            expiresAt: await options.source.tokenExpiry(merchant),
          })),
        );
        expiries = read.filter(
          (r): r is { merchant: string; expiresAt: number } => r.expiresAt !== undefined,
        );
      } catch {
        errors.inc({ collector: "merchant-tokens" });
        return;
      }
      expiries.sort((a, b) => a.expiresAt - b.expiresAt);
      for (const { merchant, expiresAt } of expiries.slice(0, maxMerchants)) {
        this.set({ merchant }, seconds(expiresAt));
      }
    },
  });

  const readKeys = sharedRead(() => options.source.knownKeys());
  const keyGauge = (
    name: string,
    help: string,
    pick: (keys: readonly { notBefore: number; expiresAt: number }[], now: number) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        let keys: ReadonlyArray<{ notBefore: number; expiresAt: number }>;
        try {
          keys = await readKeys();
        } catch {
          errors.inc({ collector: name });
          return;
        }
        const at = pick(keys, options.now());
        if (at !== undefined) this.set(seconds(at));
      },
    });
  keyGauge(
    "riskq_aes_key_expiry_timestamp_seconds",
    "When the AES key in force now expires (Unix seconds; absent: no key in force is known)",
    (keys, now) => latest(keys.filter((k) => k.notBefore <= now && now < k.expiresAt)),
  );
  keyGauge(
    "riskq_aes_key_coverage_timestamp_seconds",
    "When the last known AES key expires (Unix seconds): until then calls can be encrypted without fetching keys again",
    (keys) => latest(keys),
  );
}

function latest(keys: ReadonlyArray<{ expiresAt: number }>): number | undefined {
  return keys.length === 0 ? undefined : Math.max(...keys.map((k) => k.expiresAt));
}

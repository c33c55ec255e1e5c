import type { Logger } from "@riskq/observability";
import type { AlipayClient, KeyHealth } from "./alipay-client";

export interface KeyHealthCheckDeps {
  alipay: Pick<AlipayClient, "probeKeyHealth" | "rotateKeys">;
  logger: Pick<Logger, "warn" | "error">;
  /**
   * Told about a rejected key before the rotation, e.g. to publish an alert (the alipay package
   * knows no alerting). A failure here is logged and never holds the rotation back.
   */
  onKeyRejected?: (probe: KeyHealth) => Promise<void>;
}

export interface KeyHealthCheckReport {
  probe: KeyHealth;
  /** The key in use after an early rotation (only when the probe failed). */
  rotatedTo?: string;
}

/**
 * The key-health check: one canary call with the key in use (billed nothing). A rejected key is
 * rotated at once — refetched from Alipay — and alerted, rather than waiting for scoring calls to
 * fail on it. The scheduler runs it every 10 minutes; every worker also runs it on its own cached
 * key (node-cron), since a process can hold a stale key the scheduler's process does not.
 */
export async function checkKeyHealth(deps: KeyHealthCheckDeps): Promise<KeyHealthCheckReport> {
  const probe = await deps.alipay.probeKeyHealth();
  if (probe.healthy) return { probe };
  deps.logger.error(
    { alert: "key_health_failed", keyId: probe.keyId, detail: probe.detail },
    "the AES key in use was rejected; rotating now",
  );
  await deps
    .onKeyRejected?.(probe)
    .catch((err: unknown) => deps.logger.warn({ err }, "could not publish the key alert"));
  const current = await deps.alipay.rotateKeys();
  return { probe, rotatedTo: current.keyId };
}

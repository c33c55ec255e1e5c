import type { AlipayClient, KeyHealth } from "@riskq/alipay";
import type { Logger } from "pino";

export interface KeyHealthDeps {
  alipay: Pick<AlipayClient, "probeKeyHealth" | "rotateKeys">;
  logger: Logger;
}

export interface KeyHealthReport {
  probe: KeyHealth;
  /** The key in use after an early rotation (only when the probe failed). */
  rotatedTo?: string;
}

/**
 * The key-health job: one canary call with the key in use (billed nothing). A rejected key is
 * rotated at once — refetched from Alipay — and alerted, rather than waiting for scoring calls to
 * fail on it.
 */
export async function keyHealthJob(deps: KeyHealthDeps): Promise<KeyHealthReport> {
  const probe = await deps.alipay.probeKeyHealth();
  if (probe.healthy) return { probe };
  deps.logger.error(
    { alert: "key_health_failed", keyId: probe.keyId, detail: probe.detail },
    "the AES key in use was rejected; rotating now",
  );
  const current = await deps.alipay.rotateKeys();
  return { probe, rotatedTo: current.keyId };
}

import type { AlertEventInput } from "./alert-event";

/** What the alert needs of a failed key-health probe (kept structural: no dependency on the client). */
export interface KeyProbeFailure {
  keyId?: string | undefined;
  detail: string;
}

/**
 * The key-health alert: one group for the app's key, whoever probed it (the scheduler's canary or a
 * worker's own probe); each rejected key id is news in it, the same one rejected at every probe only
 * keeps the group firing.
 */
export function keyRejectedAlert(probe: KeyProbeFailure): AlertEventInput {
  return {
    kind: "key_health_failed",
    group: "aes-key",
    subject: probe.keyId ?? "unknown key",
    message: `the AES key in use (${probe.keyId ?? "unknown id"}) was rejected by Alipay; it is being rotated now`,
    error: probe.detail,
  };
}

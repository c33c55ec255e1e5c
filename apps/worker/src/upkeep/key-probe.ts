import { type AlipayClient, checkKeyHealth, type KeyHealth } from "@riskq/alipay";
import type { Logger } from "@riskq/observability";
import { schedule } from "node-cron";

export interface KeyProbeOptions {
  alipay: Pick<AlipayClient, "probeKeyHealth" | "rotateKeys">;
  logger: Pick<Logger, "warn" | "error">;
  /** node-cron expression, read in UTC (default every 10 minutes). */
  expression?: string;
  /** Told when this process's key was rejected (it is being rotated), e.g. to raise an alert. */
  onKeyRejected?: (probe: KeyHealth) => Promise<void>;
}

/**
 * Every worker probes the AES key it has cached itself: the scheduler's check proves its own
 * process's key, not this one's. A rejected key is replaced at once (and alerted) before scoring
 * calls start failing on it. Runs never overlap; a failed probe is logged and tried at the next tick.
 */
export function startKeyProbe(options: KeyProbeOptions) {
  const task = schedule(
    options.expression ?? "*/10 * * * *",
    async () => {
      try {
        await checkKeyHealth({
          alipay: options.alipay,
          logger: options.logger,
          ...(options.onKeyRejected ? { onKeyRejected: options.onKeyRejected } : {}),
        });
      } catch (err) {
        options.logger.warn({ err }, "key probe could not run; trying again at the next tick");
      }
    },
    { timezone: "UTC", noOverlap: true, name: "key-probe" },
  );
  return {
    async stop(): Promise<void> {
      await task.stop();
    },
  };
}

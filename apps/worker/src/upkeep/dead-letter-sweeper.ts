import type { Logger } from "@riskq/observability";
import type { DeadLetterStore } from "@riskq/pipeline";

/**
 * Every worker runs this: failed jobs without a dead letter (the process died between failing the
 * job and recording it, or BullMQ failed a job that stalled too often) get one, and dead letters past
 * their caps are trimmed. Idempotent, so several workers may run it at once.
 */
export function startDeadLetterSweeper(
  store: DeadLetterStore,
  logger: Pick<Logger, "info" | "warn">,
  everyMs = 30_000,
) {
  let running: Promise<void> | undefined;
  const sweep = async () => {
    try {
      const recorded = await store.reconcile();
      const trimmed = await store.trim();
      if (recorded || trimmed) logger.info({ recorded, trimmed }, "dead letters reconciled");
    } catch (err) {
      logger.warn({ err }, "dead-letter sweep failed; will try again");
    }
  };
  const timer = setInterval(() => {
    running ??= sweep().finally(() => {
      running = undefined;
    });
  }, everyMs);
  timer.unref();
  return {
    /** One sweep now (start-up, tests). */
    sweepNow: sweep,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

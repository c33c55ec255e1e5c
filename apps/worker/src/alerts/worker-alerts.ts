import {
  alertPublisher,
  circuitOpenAlert,
  deadLetterAlert,
  type KeyProbeFailure,
  keyRejectedAlert,
} from "@riskq/alerts";
import type { Logger } from "@riskq/observability";
import type { CircuitBreaker, DeadLetterHooks } from "@riskq/pipeline";
import type { Redis } from "ioredis";

/**
 * What a worker process alerts, on the stream the scheduler's alerter reads: every dead letter
 * (published before the letter is written, so a crash cannot lose it; the repeat that follows a
 * crash counts once in the alerter), every opening of this process's circuit breaker, and a key its
 * own probe found rejected.
 */
export function createWorkerAlerts(options: { redis: Redis; prefix: string; logger: Pick<Logger, "warn"> }) {
  const publish = alertPublisher(options.redis, { prefix: options.prefix });
  const deadLetterHooks: DeadLetterHooks = { onDeadLetter: (letter) => publish(deadLetterAlert(letter)) };
  return {
    deadLetterHooks,
    /** For the key probe: publishes the rejection (the probe logs it and rotates the key anyway). */
    keyRejected: (probe: KeyProbeFailure) => publish(keyRejectedAlert(probe)),
    /** Publishes each opening of `breaker`; returns the unsubscribe function. */
    watchBreaker(breaker: CircuitBreaker): () => void {
      return breaker.onStateChange((change) => {
        if (change.to !== "open") return;
        publish(circuitOpenAlert(change)).catch((err) =>
          options.logger.warn({ err }, "could not publish the circuit-open alert"),
        );
      });
    },
  };
}

import type { AlertEventInput } from "./alert-event";

/** What the alert needs of the pipeline's `CircuitStateChange` (kept structural: no dependency). */
export interface CircuitOpened {
  at: number;
  openUntil: number | undefined;
  cause?: unknown;
}

/**
 * The alert of a circuit opening in one worker process. Every worker opens its own breaker in an
 * outage; they share one identity (the remote), so an outage is one alert however many workers see it.
 */
export function circuitOpenAlert(change: CircuitOpened, remote = "alipay"): AlertEventInput {
  const until = change.openUntil === undefined ? "" : ` until ${new Date(change.openUntil).toISOString()}`;
  const cause = change.cause instanceof Error ? `${change.cause.name}: ${change.cause.message}` : undefined;
  return {
    kind: "circuit_open",
    subject: remote,
    message: `calls to ${remote} are paused${until} after consecutive upstream failures; jobs wait without spending attempts`,
    ...(cause ? { error: cause } : {}),
    at: change.at,
  };
}

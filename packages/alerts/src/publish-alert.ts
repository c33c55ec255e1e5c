import type { Redis } from "ioredis";
import { type AlertEventInput, toAlertEvent } from "./alert-event";
import { alertKeys } from "./alert-keys";

export interface AlertStreamOptions {
  /** The riskq key prefix (`RISKQ_PREFIX`). */
  prefix: string;
  /**
   * Approximate cap of the events stream (default 50 000): if every alerter is down for long, the
   * oldest unread events go first rather than Redis filling up.
   */
  maxLen?: number;
  /** Clock for events published without `at` (default the system clock). */
  now?: () => number;
}

/** Publishes one alert; resolves once it is on the stream. */
export type AlertPublisher = (event: AlertEventInput) => Promise<void>;

/**
 * Appends an alert event to the stream the alerters read. Cheap (one XADD) and safe to repeat: the
 * alerter counts an alert once per identity (a dead letter's job id), so a producer that crashed
 * after publishing may publish again. Secrets are scrubbed from the text here, before Redis.
 */
export async function publishAlert(
  redis: Redis,
  options: AlertStreamOptions,
  input: AlertEventInput,
): Promise<string> {
  const event = toAlertEvent(input, (options.now ?? Date.now)());
  const id = await redis.xadd(
    alertKeys(options.prefix).events,
    "MAXLEN",
    "~",
    options.maxLen ?? 50_000,
    "*",
    "event",
    JSON.stringify(event),
  );
  return id!;
}

/** `publishAlert` bound to a client and options, for producers that take an `AlertPublisher`. */
export function alertPublisher(redis: Redis, options: AlertStreamOptions): AlertPublisher {
  return async (event) => {
    await publishAlert(redis, options, event);
  };
}

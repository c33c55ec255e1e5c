import { ApiError } from "./api-error";

// What ioredis (and BullMQ on top of it) throws when Redis cannot be reached or does not answer:
// no offline queue ("Stream isn't writeable"), a closed connection, a command in flight when the
// connection dropped ("Command aborted due to connection close": Redis restarting mid-request), a
// command timeout, the retry limit, or a socket error.
const UNAVAILABLE_MESSAGES =
  /Stream isn't writeable|enableOfflineQueue|Connection is closed|Command aborted due to connection close|Command timed out|max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EPIPE|LOADING|READONLY|MASTERDOWN|OOM command not allowed/i;
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE"]);

/** Did this error come from Redis being down, unreachable or unable to take writes? */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "MaxRetriesPerRequestError") return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.test(err.message);
}

/** 503 `unavailable`: callers retry (the `@riskq/client` does), and idempotency makes that safe. */
export const redisUnavailable = () =>
  new ApiError(
    503,
    {
      error: "unavailable",
      message:
        "Redis is not reachable; retry shortly (repeating a request is safe: job ids are idempotency keys)",
    },
    { "retry-after": "1" },
  );

import { Timeout, UpstreamError } from "@riskq/alipay";

/**
 * Whether an error says the remote itself is unwell (5xx, failed connection, deadline passed). A 4xx
 * (our request was wrong) or a 429 (we were too fast) says nothing about its health, so those never
 * open the circuit: a burst of 429s is the rate limiter's business, not the breaker's.
 */
export function isUpstreamFailure(error: unknown): boolean {
  return error instanceof UpstreamError || error instanceof Timeout;
}

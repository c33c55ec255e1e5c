import { createHmac, timingSafeEqual } from "node:crypto";

/** The headers of a callback POST (lower case, as Node's http module reports them). */
export const CALLBACK_HEADERS = {
  event: "x-riskq-event",
  jobId: "x-riskq-job-id",
  timestamp: "x-riskq-timestamp",
  signature: "x-riskq-signature",
} as const;

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body>` with the callback secret. The timestamp
 * is signed too so a captured request cannot be replayed later with a fresh timestamp.
 */
export function signCallback(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

export interface CallbackToVerify {
  /** The `x-riskq-timestamp` header as received. */
  timestamp: string | undefined;
  /** The `x-riskq-signature` header as received. */
  signature: string | undefined;
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string;
}

/**
 * What a receiver does (README "Result callbacks"): recompute the signature over the raw body,
 * compare in constant time, and refuse timestamps further than `toleranceMs` (default 5 min) from
 * its clock. Exported for receivers written in TypeScript and for the tests.
 */
export function verifyCallback(
  secret: string,
  received: CallbackToVerify,
  options: { now?: number; toleranceMs?: number } = {},
): boolean {
  const timestamp = Number(received.timestamp);
  if (!received.timestamp || !Number.isSafeInteger(timestamp) || received.signature === undefined)
    return false;
  if (Math.abs((options.now ?? Date.now()) - timestamp) > (options.toleranceMs ?? 300_000)) return false;
  const expected = Buffer.from(signCallback(secret, timestamp, received.rawBody));
  const actual = Buffer.from(received.signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

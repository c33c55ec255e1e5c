import { createHmac, timingSafeEqual } from "node:crypto";

/** The headers of a callback POST (lower case, as Node's http module reports them). */
export const CALLBACK_HEADERS = {
  event: "x-riskq-event",
  jobId: "x-riskq-job-id",
  timestamp: "x-riskq-timestamp",
  signature: "x-riskq-signature",
  /** The name of the API key that submitted the job, so a receiver of several keys picks the secret. */
  submittedBy: "x-riskq-submitted-by",
} as const;

/**
 * The secret that signs the callbacks of jobs submitted with the API key named `keyName`:
 * HMAC-SHA256(master, "riskq-callback:" + name), hex. Each key's owner verifies with its own secret
 * (`riskq callbacks secret <name>` prints it), so one receiver's secret cannot forge another's
 * callbacks, and the workers need only the master (RISKQ_CALLBACK_SECRET) and the job's
 * `submitted_by`. Jobs without `submitted_by` (older ones) are signed with the master itself.
 */
export function callbackSecretFor(masterSecret: string, keyName: string | undefined): string {
  if (keyName === undefined) return masterSecret;
  return createHmac("sha256", masterSecret).update(`riskq-callback:${keyName}`).digest("hex");
}

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<url>.<raw body>` with the callback secret. The
 * timestamp is signed so a captured request cannot be replayed later with a fresh timestamp, and the
 * URL so it cannot be replayed to another receiver (another endpoint of the same owner, say).
 */
export function signCallback(secret: string, timestamp: number, url: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${url}.${rawBody}`).digest("hex")}`;
}

export interface CallbackToVerify {
  /** The `x-riskq-timestamp` header as received. */
  timestamp: string | undefined;
  /** The `x-riskq-signature` header as received. */
  signature: string | undefined;
  /** The `callback_url` exactly as it was submitted with the job (the receiver's own address). */
  url: string;
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string;
}

/**
 * What a receiver does (docs/pipeline.md, "Result callbacks"): recompute the signature over the timestamp,
 * its own URL and the raw body, compare in constant time, and refuse timestamps further than
 * `toleranceMs` (default 5 min) from its clock. `secret` is the receiver's key's callback secret.
 * Exported for receivers written in TypeScript and for the tests.
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
  const expected = Buffer.from(signCallback(secret, timestamp, received.url, received.rawBody));
  const actual = Buffer.from(received.signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

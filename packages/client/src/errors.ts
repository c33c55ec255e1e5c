/**
 * What the riskq SDK throws. Each class has a stable `code` callers can switch on (it never changes
 * meaning) and a `retryable` verdict: whether the same call, made again later, may succeed.
 */
export abstract class RiskqError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
}

/** One field error, as the API reports it: `path` like `items[3].amount`, `message` readable. */
export interface RiskqIssue {
  path: string;
  message: string;
}

/**
 * The request was refused as invalid (HTTP 400), by the SDK before sending (`origin: "local"`) or by
 * the server (`origin: "server"`). Carries every field error, not just the first.
 */
export class RiskqRequestInvalid extends RiskqError {
  readonly code: "invalid_request" | "pan_not_allowed" = "invalid_request";
  readonly retryable = false;
  constructor(
    readonly issues: RiskqIssue[],
    readonly origin: "local" | "server",
    message = `${issues.length} field error(s): ${issues.map((i) => `${i.path || "(body)"}: ${i.message}`).join("; ")}`,
  ) {
    super(message);
    this.name = "RiskqRequestInvalid";
  }
}

/**
 * A card number was found in the request (field `field`). riskq refuses card numbers everywhere;
 * send `card_fingerprint` (a hash) instead. The message names the field, never the value.
 */
export class RiskqCardNumberRefused extends RiskqRequestInvalid {
  override readonly code = "pan_not_allowed";
  constructor(
    readonly field: string,
    origin: "local" | "server",
  ) {
    super(
      [{ path: field, message: "holds a card number" }],
      origin,
      `field "${field}" holds a card number: never send card numbers; send card_fingerprint (a hash) instead`,
    );
    this.name = "RiskqCardNumberRefused";
  }
}

/** The API key was refused (HTTP 401). Retrying with the same key cannot help. */
export class RiskqUnauthorized extends RiskqError {
  readonly code = "unauthorized";
  readonly retryable = false;
  constructor(message = "riskq refused the API key (401)") {
    super(message);
    this.name = "RiskqUnauthorized";
  }
}

/**
 * riskq could not take the call: it answered 503 (Redis unreachable) or could not be reached at all
 * (connection refused/reset), on every attempt.
 */
export class RiskqUnavailable extends RiskqError {
  readonly code = "unavailable";
  readonly retryable = true;
  constructor(
    message: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RiskqUnavailable";
  }
}

/** riskq's backlog stayed full (HTTP 429) on every attempt; `retryAfterS` is the server's last hint. */
export class RiskqBacklogFull extends RiskqError {
  readonly code = "backlog_full";
  readonly retryable = true;
  constructor(
    readonly retryAfterS: number | undefined,
    readonly attempts: number,
  ) {
    super(
      `riskq's backlog is full (429) after ${attempts} attempt(s)${retryAfterS === undefined ? "" : `; retry after ${retryAfterS} s`}`,
    );
    this.name = "RiskqBacklogFull";
  }
}

/** No answer within the per-request deadline (`timeoutMs`), on every attempt. */
export class RiskqTimeout extends RiskqError {
  readonly code = "timeout";
  readonly retryable = true;
  constructor(
    readonly timeoutMs: number,
    readonly attempts: number,
  ) {
    super(`riskq did not answer within ${timeoutMs} ms (${attempts} attempt(s))`);
    this.name = "RiskqTimeout";
  }
}

/**
 * Any other HTTP answer the SDK does not expect (e.g. 413, 500), or a 2xx whose body does not have
 * the documented shape. `serverCode` is the body's `error` field when there is one. The SDK retries
 * none of these itself; `retryable` (5xx) is a hint for the caller.
 */
export class RiskqHttpError extends RiskqError {
  readonly code = "http_error";
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    readonly serverCode: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "RiskqHttpError";
    this.retryable = status >= 500;
  }
}

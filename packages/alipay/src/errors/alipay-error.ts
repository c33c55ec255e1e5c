import type { DeadLetterReason } from "@riskq/contracts";

/**
 * Base of every error the Alipay client raises. `code` is stable (alerts and tests key on it),
 * `retryable` says whether trying the same call later can succeed, and `deadLetterReason` is what a
 * job ends with when it gives up on this error.
 */
export abstract class AlipayError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  abstract readonly deadLetterReason: DeadLetterReason;
  /** The remote error code (e.g. `app-call-limited`), when the remote answered with one. */
  readonly remoteCode: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(message: string, options: { remoteCode?: string; httpStatus?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.remoteCode = options.remoteCode;
    this.httpStatus = options.httpStatus;
  }
}

/** What the remote error body said, for the error classes that wrap one. */
export interface RemoteFailure {
  remoteCode?: string;
  httpStatus?: number;
  cause?: unknown;
}

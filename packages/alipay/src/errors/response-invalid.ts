import { AlipayError, type RemoteFailure } from "./alipay-error";

/**
 * The remote answered, but the answer cannot be trusted: bad signature, undecryptable body, schema
 * mismatch, unknown or duplicate item ids, out-of-range confidence, or another model than pinned.
 */
export class ResponseInvalid extends AlipayError {
  readonly code = "response_invalid";
  readonly retryable = false;
  readonly deadLetterReason = "response_invalid";

  constructor(detail: string, failure: RemoteFailure = {}) {
    super(`Alipay's response is invalid: ${detail}`, failure);
  }
}

import { AlipayError, type RemoteFailure } from "./alipay-error";

/** The request itself is wrong (our validation, or 4xx from the remote): retrying cannot help. */
export class InvalidRequest extends AlipayError {
  readonly code = "invalid_request";
  readonly retryable = false;
  readonly deadLetterReason = "invalid_payload";

  constructor(
    message: string,
    /** The field at fault, when known (e.g. `items[3].amount`). */
    readonly field?: string,
    failure: RemoteFailure = {},
  ) {
    super(message, failure);
  }
}

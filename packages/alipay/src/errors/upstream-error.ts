import { AlipayError, type RemoteFailure } from "./alipay-error";

/** 5xx or a failed connection: the remote is having trouble; try again later. */
export class UpstreamError extends AlipayError {
  readonly code = "upstream_error";
  readonly retryable = true;
  readonly deadLetterReason = "upstream_error";

  constructor(message: string, failure: RemoteFailure = {}) {
    super(message, failure);
  }
}

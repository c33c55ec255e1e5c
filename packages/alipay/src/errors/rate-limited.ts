import { AlipayError, type RemoteFailure } from "./alipay-error";

/** 429: the app bucket (all methods) or the per-method bucket (batch/predict) is empty. */
export class RateLimited extends AlipayError {
  readonly code = "rate_limited";
  readonly retryable = true;
  readonly deadLetterReason = "rate_limited";

  constructor(
    readonly bucket: "app" | "method",
    failure: RemoteFailure = {},
  ) {
    super(`Alipay refused the call: ${bucket} rate limit reached (no Retry-After is ever sent)`, failure);
  }
}

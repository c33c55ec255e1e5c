import { AlipayError, type RemoteFailure } from "./alipay-error";

/** The merchant's authorisation is gone (revoked, unknown, or a failed refresh): it must re-authorise. */
export class AuthRevoked extends AlipayError {
  readonly code = "auth_revoked";
  readonly retryable = false;
  readonly deadLetterReason = "auth_revoked";

  constructor(
    readonly merchantId: string,
    detail: string,
    failure: RemoteFailure = {},
  ) {
    super(
      `merchant ${merchantId} needs re-authorisation (${detail}): onboard it again with a new auth code`,
      failure,
    );
  }
}

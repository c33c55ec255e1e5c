import { AlipayError, type RemoteFailure } from "./alipay-error";

/**
 * `invalid-signature` that survived a key refetch and one retry: the AES key (or the app's RSA key)
 * is not accepted. The remote gives no hint which; an expired AES key is the usual cause.
 */
export class KeyRejected extends AlipayError {
  readonly code = "key_rejected";
  readonly retryable = false;
  readonly deadLetterReason = "key_rejected";

  constructor(detail: string, failure: RemoteFailure = {}) {
    super(
      `Alipay rejected the call's signature or AES key (${detail}); check key rotation and the app key`,
      failure,
    );
  }
}

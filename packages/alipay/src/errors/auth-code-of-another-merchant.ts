import { InvalidRequest } from "./invalid-request";

/**
 * The auth code was granted by another merchant than the one being onboarded. The owner's id is
 * deliberately left out of the error (message and fields): it is someone else's account, and this
 * error travels to API callers and into logs.
 */
export class AuthCodeOfAnotherMerchant extends InvalidRequest {
  constructor(readonly merchantId: string) {
    super(
      `the auth code was not issued by merchant ${merchantId}: ask merchant ${merchantId} for a new auth code`,
      "auth_code",
    );
  }
}

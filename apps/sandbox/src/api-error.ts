/**
 * An error the sandbox answers with the contract's error body (section 2):
 * a real HTTP status and a kebab-case string code.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalidSignature = () => new ApiError(400, "invalid-signature", "signature verification failed");
export const invalidParameter = (message: string) => new ApiError(400, "invalid-parameter", message);

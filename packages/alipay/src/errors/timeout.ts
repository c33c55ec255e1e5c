import { AlipayError } from "./alipay-error";

/**
 * The call passed its deadline. The remote may still have done (and billed) the work: for a token
 * refresh that means the stored refresh token may already be spent.
 */
export class Timeout extends AlipayError {
  readonly code = "timeout";
  readonly retryable = true;
  readonly deadLetterReason = "timeout";

  constructor(
    readonly operation: string,
    readonly deadlineMs: number | undefined,
    cause?: unknown,
  ) {
    super(`${operation} did not finish within its deadline${deadlineMs ? ` of ${deadlineMs} ms` : ""}`, {
      cause,
    });
  }
}

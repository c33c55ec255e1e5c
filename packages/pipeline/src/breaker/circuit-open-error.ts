/**
 * The circuit breaker refused a call: the remote has been failing and is being left alone until
 * `retryAt`. Waiting for it must not cost the job a retry attempt.
 */
export class CircuitOpenError extends Error {
  readonly code = "circuit_open";
  /** How long from when the call was refused until the breaker lets a call through again. */
  readonly retryAfterMs: number;

  constructor(
    /** Epoch ms at which a call may be tried again. */
    readonly retryAt: number,
    now: number,
  ) {
    super(`circuit open: Alipay is failing, calls resume at ${new Date(retryAt).toISOString()}`);
    this.name = "CircuitOpenError";
    this.retryAfterMs = Math.max(0, retryAt - now);
  }
}

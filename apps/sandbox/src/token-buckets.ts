/** Rate limits of one bucket (docs/alipay-ai-api.md §7): calls per second and burst size. */
export interface BucketLimit {
  qps: number;
  burst: number;
}

/** A token bucket refilled on real time. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private limit: BucketLimit,
    nowMs: number,
  ) {
    this.tokens = limit.burst;
    this.refilledAt = nowMs;
  }

  /** Takes one token; false when the bucket is empty. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** A new limit clamps the current content to the new burst (docs/alipay-ai-api.md §7). */
  setLimit(limit: BucketLimit, nowMs: number): void {
    this.refill(nowMs);
    this.limit = limit;
    this.tokens = Math.min(this.tokens, limit.burst);
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.refilledAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.qps);
    this.refilledAt = nowMs;
  }
}

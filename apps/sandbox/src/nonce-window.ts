/**
 * Nonces seen within the replay window (docs/alipay-ai-api.md §1: 10 minutes, real time).
 * Memory stays bounded by the request rate × window: expired entries are swept as time passes.
 */
export class NonceWindow {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly windowMs = 10 * 60_000) {}

  /** Records the nonce; false when it was already seen within the window (a replay). */
  admit(nonce: string, nowMs: number): boolean {
    this.sweep(nowMs);
    const expires = this.seen.get(nonce);
    if (expires !== undefined && expires > nowMs) return false;
    this.seen.set(nonce, nowMs + this.windowMs);
    return true;
  }

  clear(): void {
    this.seen.clear();
  }

  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweep) return;
    this.nextSweep = nowMs + 10_000;
    // Map iterates in insertion order and every entry has the same window, so expiries ascend.
    for (const [nonce, expires] of this.seen) {
      if (expires > nowMs) break;
      this.seen.delete(nonce);
    }
  }
}

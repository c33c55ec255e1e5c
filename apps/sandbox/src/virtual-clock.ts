/**
 * The sandbox's virtual clock (docs/alipay-ai-api.md §10). Token and key lifetimes, model retirement and account
 * age follow it; request timestamps, nonces and rate-limit buckets stay on real time.
 */
export class VirtualClock {
  private offsetMs = 0;

  constructor(private readonly realNow: () => number = Date.now) {}

  now(): number {
    return this.realNow() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): number {
    this.offsetMs += ms;
    return this.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

import type { SandboxRateLimits } from "@riskq/testing";
import { type Readings, unfinished } from "../readings";
import { type Incident, type IncidentContext, seconds, since } from "./incident";

/** What Alipay allows during the storm: about one call a second. */
const STORM_LIMITS: SandboxRateLimits = { app_qps: 1, app_burst: 1, batch_qps: 1, batch_burst: 1 };

/**
 * Alipay's undocumented limits drop to about a call a second for a few seconds (429s, no
 * Retry-After), then come back. The workers' shared limiter cuts its rate on the 429s; jobs wait
 * without spending attempts, and the backlog drains once the limits are back.
 */
export class RateLimitStorm implements Incident {
  readonly name = "429 storm";
  readonly action: string;
  private normal: SandboxRateLimits | undefined;
  private restoredAt: number | undefined;
  private before: Readings | undefined;
  private lowestRate: number | undefined;
  private peakBacklog = 0;
  private answeredAtRestore: number | undefined;

  constructor(
    readonly at: number,
    private readonly stormMs: number,
  ) {
    this.action = `the sandbox allows about 1 call/s for ${seconds(stormMs)}`;
  }

  async inject(ctx: IncidentContext, readings: Readings): Promise<void> {
    this.before = readings;
    this.normal = (await ctx.control.state()).faults.rate_limits;
    await ctx.control.faults({ rate_limits: STORM_LIMITS });
    const timer = setTimeout(() => {
      ctx.control.faults({ rate_limits: this.normal }).then(
        () => {
          this.restoredAt = Date.now();
        },
        () => {},
      );
    }, this.stormMs);
    timer.unref();
  }

  async check(ctx: IncidentContext, readings: Readings): Promise<string | undefined> {
    if (readings.limiterRate !== undefined) {
      this.lowestRate = Math.min(this.lowestRate ?? Number.POSITIVE_INFINITY, readings.limiterRate);
    }
    const backlog = unfinished(readings);
    this.peakBacklog = Math.max(this.peakBacklog, backlog);
    if (this.restoredAt === undefined || !this.before) return undefined;
    // Calls answered 200 from here on show the workers calling successfully again.
    const answered = readings.ledger.by_status["200"] ?? 0;
    this.answeredAtRestore ??= answered;
    const answered429 = this.count429(readings);
    // Drained: no more unfinished jobs than before the storm plus a second of traffic.
    const drainedTo = unfinished(this.before) + ctx.rate;
    if (answered429 === 0 || answered <= this.answeredAtRestore || backlog > drainedTo) return undefined;
    const dead = since(readings.dead.rate_limited ?? 0, this.before.dead.rate_limited ?? 0);
    return (
      `${answered429} calls answered 429; the workers' shared limiter went down to ${rate(this.lowestRate)} ` +
      `(${rate(readings.limiterRate)} now, climbing back); jobs waited without spending attempts, calls succeed ` +
      `again and the backlog (${this.peakBacklog} at its peak) was back to its level before the storm ` +
      `${seconds(Date.now() - this.restoredAt)} after it: rate_limited dead letters ${dead}`
    );
  }

  progress(readings: Readings): string {
    const state = this.restoredAt === undefined ? "storming" : "limits back";
    return `${state}: ${this.count429(readings)} calls answered 429, backlog ${unfinished(readings)}`;
  }

  private count429(readings: Readings): number {
    return since(readings.ledger.by_status["429"] ?? 0, this.before?.ledger.by_status["429"] ?? 0);
  }
}

function rate(value: number | undefined): string {
  return value === undefined ? "?" : `${value.toFixed(1)} calls/s`;
}

import { CLOCK_JUMP_MS } from "../demo-settings";
import type { Readings } from "../readings";
import { type Incident, type IncidentContext, since } from "./incident";

/**
 * Every merchant's access token expires on Alipay's side while riskq's clocks say it is still good:
 * Alipay answers 200 with nothing scored (a silent drop). riskq sees the missing items, refreshes
 * the token (one refresh per merchant across all workers) and sends the dropped items again.
 */
export class TokenExpiry implements Incident {
  readonly name = "token expiry";
  readonly action = `the sandbox's clock jumps ${CLOCK_JUMP_MS / 60_000} min, past the 15-min token lifetime`;
  private before: Readings["ledger"] | undefined;
  private silentDeadBefore = 0;
  private lastDrops = -1;

  constructor(readonly at: number) {}

  async inject(ctx: IncidentContext, readings: Readings): Promise<void> {
    this.before = readings.ledger;
    this.silentDeadBefore = readings.dead.silent_drop ?? 0;
    await ctx.control.advanceClock(CLOCK_JUMP_MS);
  }

  async check(_ctx: IncidentContext, readings: Readings): Promise<string | undefined> {
    const { drops, refreshes } = this.counts(readings);
    // Handled once drops happened, tokens were refreshed, and no drop came since the last look.
    const settled = drops > 0 && refreshes > 0 && drops === this.lastDrops;
    this.lastDrops = drops;
    if (!settled) return undefined;
    const revocations = since(readings.ledger.revocations, this.before?.revocations ?? 0);
    const dead = since(readings.dead.silent_drop ?? 0, this.silentDeadBefore);
    return (
      `${drops} calls answered 200 with nothing scored (silent drops); riskq refreshed ${refreshes} merchant ` +
      `tokens and sent the dropped items again: silent_drop dead letters ${dead}, revocations ${revocations}`
    );
  }

  progress(readings: Readings): string {
    const { drops, refreshes } = this.counts(readings);
    return `${drops} silent drops, ${refreshes} tokens refreshed so far`;
  }

  private counts(readings: Readings) {
    return {
      drops: since(readings.ledger.silent_drops, this.before?.silent_drops ?? 0),
      refreshes: since(readings.ledger.token_refreshes, this.before?.token_refreshes ?? 0),
    };
  }
}

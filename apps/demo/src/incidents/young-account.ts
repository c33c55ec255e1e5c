import { BURST_ITEMS, SEED, YOUNG_ACCOUNT_LIMIT } from "../demo-settings";
import type { Readings } from "../readings";
import { scoreRequests } from "../traffic";
import { type Incident, type IncidentContext, since } from "./incident";

const DAY_MS = 86_400_000;

/**
 * The account is switched to one younger than six months: Alipay then answers at most 50 items per
 * call and says nothing about the rest (still billed). A merchant's settlement burst makes full
 * 100-item batches; riskq sees the truncated answers, lowers its batch cap (shared through Redis)
 * and sends the unanswered items again.
 */
export class YoungAccount implements Incident {
  readonly name = "young account";
  readonly action =
    `the account becomes 30 days old (at most ${YOUNG_ACCOUNT_LIMIT} items answered per call), and a merchant sends a burst of ${BURST_ITEMS}`;
  private truncationsBefore = 0;
  private deadBefore = 0;

  constructor(readonly at: number) {}

  async inject(ctx: IncidentContext, readings: Readings): Promise<void> {
    this.truncationsBefore = readings.ledger.truncations;
    this.deadBefore = Object.values(readings.dead).reduce((a, b) => a + b, 0);
    const state = await ctx.control.state();
    await ctx.control.setAccountCreatedAt(new Date(Date.parse(state.clock.now) - 30 * DAY_MS).toISOString());
    // The busiest merchant's settlement file: enough items at once for full batches.
    const merchant = [...ctx.merchants].sort((a, b) => b.volume - a.volume)[0]!;
    ctx.traffic.burst(scoreRequests(SEED + 1, [merchant], BURST_ITEMS));
  }

  async check(ctx: IncidentContext, readings: Readings): Promise<string | undefined> {
    const truncations = since(readings.ledger.truncations, this.truncationsBefore);
    const cap = await ctx.riskqAlipay().learnedBatchCap();
    if (truncations === 0 || cap === undefined) return undefined;
    const dead = since(
      Object.values(readings.dead).reduce((a, b) => a + b, 0),
      this.deadBefore,
    );
    return (
      `${truncations === 1 ? "1 batch/predict answer" : `${truncations} batch/predict answers`} came back cut to ${cap} items (the rest billed, unanswered); riskq ` +
      `lowered its batch cap to ${cap} (kept in Redis for every worker) and sent the missing items again: dead letters since ${dead}`
    );
  }

  progress(readings: Readings): string {
    return `${since(readings.ledger.truncations, this.truncationsBefore)} truncated answers so far`;
  }
}

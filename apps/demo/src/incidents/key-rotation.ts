import { pickKey } from "@riskq/alipay";
import type { Readings } from "../readings";
import { type Incident, type IncidentContext, seconds, since } from "./incident";

/** How long riskq waits before encrypting with a key that just took over (its clock-skew guard). */
const SWITCH_AFTER_S = 30;

/**
 * Alipay rotates the AES key out of schedule. riskq notices at its next key check (the scheduler's,
 * every 2 s here), keeps the old key while the new one is fresh (Alipay still accepts the old one)
 * and switches once the new key has been in force 30 s; no call is refused on the way.
 */
export class KeyRotation implements Incident {
  readonly name = "key rotation";
  readonly action = "the sandbox rotates its AES key now, out of schedule";
  private injectedAt = 0;
  private newKeyId = "";
  private oldKeyId: string | undefined;
  private invalidBefore = 0;
  private rejectedBefore = 0;
  private learnedAfterMs: number | undefined;

  constructor(readonly at: number) {}

  async inject(ctx: IncidentContext, readings: Readings): Promise<void> {
    this.oldKeyId = pickKey(await ctx.riskqAlipay().knownKeys(), Date.now())?.keyId;
    this.invalidBefore = readings.ledger.by_code["invalid-signature"] ?? 0;
    this.rejectedBefore = readings.dead.key_rejected ?? 0;
    await ctx.control.rotateKeys();
    const state = await ctx.control.state();
    const now = Date.parse(state.clock.now);
    const inForce = state.keys
      .filter((k) => Date.parse(k.not_before) <= now)
      .sort((a, b) => Date.parse(b.not_before) - Date.parse(a.not_before))[0];
    this.newKeyId = inForce?.key_id ?? "";
    this.injectedAt = Date.now();
  }

  async check(ctx: IncidentContext, readings: Readings): Promise<string | undefined> {
    const known = await ctx.riskqAlipay().knownKeys();
    if (!known.some((k) => k.keyId === this.newKeyId)) return undefined;
    this.learnedAfterMs ??= Date.now() - this.injectedAt;
    const invalid = since(readings.ledger.by_code["invalid-signature"] ?? 0, this.invalidBefore);
    const rejected = since(readings.dead.key_rejected ?? 0, this.rejectedBefore);
    return (
      `riskq fetched the new key ${this.newKeyId} (the scheduler's key check, seen ${seconds(this.learnedAfterMs)} ` +
      `after) and moves to it once it has been in force ${SWITCH_AFTER_S} s, keeping ${this.oldKeyId ?? "the old key"} ` +
      `meanwhile: invalid-signature answers ${invalid}, key_rejected dead letters ${rejected}`
    );
  }

  async followUp(ctx: IncidentContext): Promise<string | undefined> {
    const key = pickKey(await ctx.riskqAlipay().knownKeys(), Date.now());
    if (key?.keyId !== this.newKeyId) return undefined;
    return `key switch: riskq now encrypts with ${this.newKeyId}, ${seconds(Date.now() - this.injectedAt)} after the rotation`;
  }

  progress(): string {
    return `riskq has not fetched the new key ${this.newKeyId} yet`;
  }
}

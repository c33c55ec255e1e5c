import { amountToCents, type ScoreItem } from "@riskq/contracts";
import { cstHour } from "@riskq/synthetic";
import type { MerchantHistory } from "./merchant-history";
import { CHANNEL_RISK, hourRisk, MCC_RISK, RISKY_COUNTRIES, type RiskFactor } from "./risk-tables";

/** Amounts this many standard deviations above the merchant's usual start to count. */
const AMOUNT_Z_FREE = 1.0;
const AMOUNT_Z_CAP = 4;
/** Amounts this far below usual, on a fresh or busy card, look like card testing. */
const PROBE_Z = -1.5;
const VELOCITY_CAP = 4;
/** Channel risk when the item does not say (neither safe nor risky). */
const UNKNOWN_CHANNEL_RISK = 0.25;

export type RiskSignals = Record<RiskFactor, number>;

/** Parsed once per item and shared by the signals and the history update. */
export interface ItemFacts {
  logAmount: number;
  atMs: number;
}

export function itemFacts(item: ScoreItem): ItemFacts {
  return { logAmount: Math.log(amountToCents(item.amount) / 100), atMs: Date.parse(item.occurred_at) };
}

/** Each factor's strength for one item, against the merchant's history before it. */
export function riskSignals(item: ScoreItem, facts: ItemFacts, history: MerchantHistory): RiskSignals {
  const z = history.amountZ(facts.logAmount);
  const card =
    item.card_fingerprint === undefined ? undefined : history.card(item.card_fingerprint, facts.atMs);
  const unfamiliarCard = card !== undefined && (!card.known || card.velocity > 0.5);
  const home = history.homeCountry();
  const country = item.country;
  return {
    amount: Math.min(AMOUNT_Z_CAP, Math.max(0, z - AMOUNT_Z_FREE)),
    probe: unfamiliarCard ? Math.min(1, Math.max(0, PROBE_Z - z)) : 0,
    velocity: card === undefined ? 0 : Math.min(VELOCITY_CAP, card.velocity),
    newCard: card !== undefined && !card.known ? history.newCardSurprise() : 0,
    foreign: country !== undefined && home !== undefined && country !== home ? 1 : 0,
    riskyCountry: country !== undefined && RISKY_COUNTRIES.has(country) ? 1 : 0,
    mcc: item.mcc === undefined ? 0 : (MCC_RISK.get(item.mcc) ?? 0),
    channel: item.channel === undefined ? UNKNOWN_CHANNEL_RISK : (CHANNEL_RISK[item.channel] ?? 0),
    hour: Number.isNaN(facts.atMs) ? 0 : hourRisk(cstHour(facts.atMs)),
  };
}

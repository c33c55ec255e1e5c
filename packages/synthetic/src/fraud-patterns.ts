import { cardFingerprint } from "./card-fingerprint";
import { FRAUD_COUNTRIES, VISITOR_COUNTRIES } from "./countries";
import { RISKY_MCCS } from "./merchant-categories";
import type { MerchantProfile } from "./merchants";
import { foreignCountry, formatAmount, type PaymentFields, pickChannel } from "./payment-fields";
import type { Rng } from "./rng";
import { weightedPick } from "./weighted-pick";

/** A card-testing run: the same fresh card tried several times within minutes. */
export interface CardTestingRun {
  merchant: MerchantProfile;
  /** Fields shared by every try (card, channel, country, MCC); the amount varies. */
  template: PaymentFields;
  remaining: number;
}

export interface FraudStart {
  payment: PaymentFields;
  /** Set when the fraud continues as a burst of further tries. */
  run?: CardTestingRun;
}

type Pattern = "big_ticket" | "cross_border" | "stealth" | "card_testing";

const PATTERNS: readonly { pattern: Pattern; share: number }[] = [
  { pattern: "big_ticket", share: 0.33 },
  { pattern: "cross_border", share: 0.2 },
  { pattern: "stealth", share: 0.25 },
  { pattern: "card_testing", share: 0.22 },
];

const CARD_TESTING_TRIES = { min: 3, max: 7 };

/** Mean number of items one fraud event produces, to turn an item fraud rate into an event rate. */
export const MEAN_ITEMS_PER_FRAUD_EVENT =
  1 - 0.22 + 0.22 * ((CARD_TESTING_TRIES.min + CARD_TESTING_TRIES.max) / 2);

const FRAUD_CHANNELS = { app: 0.35, web: 0.55, pos: 0.1 };

function fraudCountry(rng: Rng, merchant: MerchantProfile, risky: number, visitor: number): string {
  const roll = rng.next();
  if (roll < risky) return rng.pick(FRAUD_COUNTRIES);
  if (roll < risky + visitor) return foreignCountry(rng, VISITOR_COUNTRIES, merchant.home_country);
  return merchant.home_country;
}

function fraudMcc(rng: Rng, merchant: MerchantProfile, riskyShare: number): string {
  return rng.chance(riskyShare) ? rng.pick(RISKY_MCCS) : merchant.mcc;
}

/** A known customer's card, as in an account takeover, or else a fresh stolen one. */
function fraudCard(rng: Rng, merchant: MerchantProfile, knownShare: number): string {
  const pool = merchant.card_pool;
  return rng.chance(knownShare) && pool.length > 0 ? rng.pick(pool) : cardFingerprint(rng);
}

/** One card-testing try: mostly small probing amounts, sometimes an ordinary one. */
export function cardTestingTry(rng: Rng, run: CardTestingRun): PaymentFields {
  const { mu, sigma } = run.merchant.amount;
  const logAmount = rng.chance(0.6) ? mu - 1.5 - 1.5 * rng.next() : mu + sigma * rng.normal();
  return { ...run.template, amount: formatAmount(Math.exp(logAmount)) };
}

/**
 * Starts one fraud event at a merchant. The patterns overlap honest traffic on purpose:
 * "stealth" fraud uses a usual amount on a known card at home, so no model can catch it all.
 */
export function startFraud(rng: Rng, merchant: MerchantProfile): FraudStart {
  const { mu, sigma } = merchant.amount;
  const { pattern } = weightedPick(rng, PATTERNS, (p) => p.share);
  const base = { currency: merchant.currency };
  switch (pattern) {
    case "big_ticket":
      return {
        payment: {
          ...base,
          amount: formatAmount(Math.exp(mu + 0.7 * sigma * rng.normal() + 1 + 1.2 * Math.abs(rng.normal()))),
          card_fingerprint: fraudCard(rng, merchant, 0.3),
          mcc: fraudMcc(rng, merchant, 0.15),
          country: fraudCountry(rng, merchant, 0.35, 0.15),
          channel: pickChannel(rng, FRAUD_CHANNELS),
        },
      };
    case "cross_border":
      return {
        payment: {
          ...base,
          amount: formatAmount(Math.exp(mu + sigma * rng.normal() + 0.4)),
          card_fingerprint: fraudCard(rng, merchant, 0.25),
          mcc: fraudMcc(rng, merchant, 0.3),
          country: fraudCountry(rng, merchant, 0.65, 0.35),
          channel: pickChannel(rng, { app: 0.45, web: 0.5, pos: 0.05 }),
        },
      };
    case "stealth":
      return {
        payment: {
          ...base,
          amount: formatAmount(Math.exp(mu + sigma * rng.normal() + 0.2)),
          card_fingerprint: fraudCard(rng, merchant, 0.5),
          mcc: merchant.mcc,
          country: fraudCountry(rng, merchant, 0.05, 0.1),
          channel: pickChannel(rng, { ...merchant.channel_mix, web: merchant.channel_mix.web + 0.2 }),
        },
      };
    case "card_testing": {
      const run: CardTestingRun = {
        merchant,
        template: {
          ...base,
          amount: "0.01",
          card_fingerprint: cardFingerprint(rng),
          mcc: fraudMcc(rng, merchant, 0.3),
          country: fraudCountry(rng, merchant, 0.3, 0.2),
          channel: rng.chance(0.75) ? "web" : "app",
        },
        remaining: rng.int(CARD_TESTING_TRIES.min, CARD_TESTING_TRIES.max) - 1,
      };
      return { payment: cardTestingTry(rng, run), run };
    }
  }
}

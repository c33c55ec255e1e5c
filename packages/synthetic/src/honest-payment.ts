import { cardFingerprint } from "./card-fingerprint";
import { FRAUD_COUNTRIES, VISITOR_COUNTRIES } from "./countries";
import type { MerchantProfile } from "./merchants";
import { foreignCountry, formatAmount, type PaymentFields, pickChannel } from "./payment-fields";
import type { Rng } from "./rng";

/** When each card last paid, so honest customers rarely pay twice within minutes. */
export interface CardUse {
  lastUsedMs: Map<string, number>;
  nowMs: number;
}

/** Honest repeat purchases within this span are rare (a second coffee), unlike card testing. */
const REPEAT_COOLDOWN_MS = 30 * 60_000;
const QUICK_REPEAT_CHANCE = 0.05;

/**
 * A returning customer's card. Regulars are skewed (a few are very frequent), but a regular who
 * has just paid is usually not back yet: another regular comes, or else a one-off customer. This
 * keeps honest card velocity realistic however dense the merchant's traffic is.
 */
function regularCard(rng: Rng, merchant: MerchantProfile, cards: CardUse): string {
  const pool = merchant.card_pool;
  const quickRepeat = rng.chance(QUICK_REPEAT_CHANCE);
  for (let attempt = 0; attempt < 3; attempt++) {
    const card = pool[Math.floor(pool.length * rng.next() ** 1.6)];
    if (card === undefined) break;
    const last = cards.lastUsedMs.get(card);
    if (last === undefined || cards.nowMs - last > REPEAT_COOLDOWN_MS || quickRepeat) {
      cards.lastUsedMs.set(card, cards.nowMs);
      return card;
    }
  }
  return cardFingerprint(rng);
}

/**
 * A legitimate payment. Honest traffic is deliberately not spotless: one-off customers on new
 * cards, tourists, travellers from high-fraud countries and the occasional big purchase all
 * look like fraud to a model, which is what keeps a good model's AUC below 1.
 */
export function honestPayment(rng: Rng, merchant: MerchantProfile, cards: CardUse): PaymentFields {
  const { mu, sigma } = merchant.amount;
  let logAmount = mu + sigma * rng.normal();
  if (rng.chance(0.02)) logAmount += Math.log(3 + 5 * rng.next()); // a rare big purchase

  const card_fingerprint = rng.chance(0.88) ? regularCard(rng, merchant, cards) : cardFingerprint(rng);

  const roll = rng.next();
  const country =
    roll < 0.935
      ? merchant.home_country
      : roll < 0.99
        ? foreignCountry(rng, VISITOR_COUNTRIES, merchant.home_country)
        : rng.pick(FRAUD_COUNTRIES);

  const secondary = merchant.secondary_mccs;
  const mcc = secondary.length > 0 && rng.chance(0.15) ? rng.pick(secondary) : merchant.mcc;

  return {
    amount: formatAmount(Math.exp(logAmount)),
    currency: merchant.currency,
    card_fingerprint,
    mcc,
    country,
    channel: pickChannel(rng, merchant.channel_mix),
  };
}

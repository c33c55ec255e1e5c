import { passesLuhn } from "@riskq/contracts";
import { cardFingerprint } from "./card-fingerprint";
import { HOME_COUNTRIES } from "./countries";
import { type ChannelMix, MERCHANT_CATEGORIES } from "./merchant-categories";
import { createRng, hashSeed } from "./rng";
import { weightedPick } from "./weighted-pick";

/** One synthetic merchant: what its honest traffic looks like. */
export interface MerchantProfile {
  /** 16 digits starting 2088, never Luhn-valid (so it cannot be mistaken for a card number). */
  merchant_id: string;
  category: string;
  home_country: string;
  currency: string;
  /** The MCC most of its sales are booked under. */
  mcc: string;
  secondary_mccs: string[];
  /** Usual amounts are log-normal: log(amount) ~ N(mu, sigma), in the merchant's currency. */
  amount: { mu: number; sigma: number };
  /** Fingerprints of its returning customers' cards, most frequent first. */
  card_pool: string[];
  channel_mix: ChannelMix;
  /** Opening hours in China Standard Time, [from, to), wrapping past midnight when from > to. */
  active_hours: { from: number; to: number };
  /** Relative traffic volume (a few merchants carry most of the traffic). */
  volume: number;
}

function merchantId(seed: number, index: number, taken: Set<string>): string {
  const rng = createRng(hashSeed(seed, "merchant-id", index));
  for (;;) {
    let id = "2088";
    for (let i = 0; i < 12; i++) id += String(rng.int(0, 9));
    if (passesLuhn(id)) id = id.slice(0, 15) + String((Number(id[15]) + 1) % 10);
    if (!taken.has(id)) return id;
  }
}

/** Generates `count` merchants; the same seed always gives the same merchants. */
export function generateMerchants(options: { seed: number; count: number }): MerchantProfile[] {
  const { seed, count } = options;
  const taken = new Set<string>();
  const merchants: MerchantProfile[] = [];
  for (let index = 0; index < count; index++) {
    const rng = createRng(hashSeed(seed, "merchant", index));
    const merchant_id = merchantId(seed, index, taken);
    taken.add(merchant_id);
    const category = weightedPick(rng, MERCHANT_CATEGORIES, (c) => c.share);
    const home = weightedPick(rng, HOME_COUNTRIES, (c) => c.share);
    // Each merchant's own ticket sits within about ×0.6–×1.7 of its category's median.
    const median = category.medianCny * home.perCny * Math.exp(0.3 * rng.normal());
    const volume = rng.logNormal(0, 0.8);
    const poolSize = Math.round(60 + 200 * Math.min(volume, 3));
    const card_pool = Array.from({ length: poolSize }, () => cardFingerprint(rng));
    const jitter = (w: number) => w * (0.7 + 0.6 * rng.next());
    merchants.push({
      merchant_id,
      category: category.name,
      home_country: home.country,
      currency: home.currency,
      mcc: category.mcc,
      secondary_mccs: [...category.secondaryMccs],
      amount: { mu: Math.log(median), sigma: category.sigma * (0.85 + 0.3 * rng.next()) },
      card_pool,
      channel_mix: {
        app: jitter(category.channels.app),
        web: jitter(category.channels.web),
        pos: jitter(category.channels.pos),
      },
      active_hours: { from: category.hours[0], to: category.hours[1] % 24 },
      volume,
    });
  }
  return merchants;
}

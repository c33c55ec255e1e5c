import { amountToCents, type ScoreItem } from "@riskq/contracts";
import { z } from "zod";

/**
 * What the pre-filter learnt about payments besides its weights: which currencies, countries and
 * MCCs it has seen often enough to judge, each currency's home country, and the usual amounts per
 * (currency, MCC). All of it comes from the training traffic, none from the labels.
 */
export const featureSpaceSchema = z.object({
  currencies: z.array(z.string()),
  countries: z.array(z.string()),
  mccs: z.array(z.string()),
  /** The most common buyer country of each currency's traffic: a payment from elsewhere is foreign. */
  home_country: z.record(z.string(), z.string()),
  /**
   * Each currency's price level against CNY, as a log ratio learnt from the traffic (the median
   * gap between its amounts and CNY's at the same MCCs): no exchange-rate table to keep up to date.
   */
  currency_offsets: z.record(z.string(), z.number()),
  /**
   * Usual log(amount) per MCC, in CNY terms (currency offset removed), pooled over all currencies so
   * that a currency with few merchants still gets a sound norm; "*" for an MCC too rare to have one.
   */
  amount_norms: z.record(z.string(), z.object({ median: z.number(), scale: z.number().positive() })),
});
export type FeatureSpace = z.infer<typeof featureSpaceSchema>;

/** Amounts this many spreads above their usual count as big tickets, below −PROBE_FREE as probes. */
const BIG_FREE = 1;
const PROBE_FREE = 1.5;
const HOUR_MS = 3_600_000;
/** Alipay's merchants (and the synthetic ones) keep China Standard Time: UTC+8, no daylight saving. */
const CST_OFFSET_HOURS = 8;

/** Hour of day (0–23) in China Standard Time. */
export function cstHourOf(occurredAt: string): number | undefined {
  const at = Date.parse(occurredAt);
  if (Number.isNaN(at)) return undefined;
  return (((Math.floor(at / HOUR_MS) + CST_OFFSET_HOURS) % 24) + 24) % 24;
}

/** Natural log of a contract amount ("128.50"). */
export function logAmount(amount: string): number {
  return Math.log(amountToCents(amount) / 100);
}

/** One item's features: names of the active ones with their values (most are one-hot, value 1). */
export interface PaymentFeatures {
  names: string[];
  values: number[];
}

/**
 * Why an item is left to the remote model whatever its score: it is unlike anything the pre-filter
 * was trained on, so its weights say nothing about it.
 */
export type OutOfDistribution =
  | "no_card_fingerprint"
  | "unknown_currency"
  | "unknown_country"
  | "unknown_mcc";

export interface FeatureExtractor {
  /** Every feature name a model over this space can weigh, in a stable order. */
  readonly names: readonly string[];
  /** The item's active features, or why the pre-filter must not judge it. */
  extract(item: ScoreItem): PaymentFeatures | { outOfDistribution: OutOfDistribution };
}

/**
 * Features from what one contract item carries — no merchant history, no state: the amount against
 * the usual amounts of its currency and MCC, whether the country is the currency's home, and one-hot
 * currency, country, MCC, channel and hour (CST). The card fingerprint is not a feature: synthetic
 * traffic always has one, so its weight could not be learnt; an item without one is out of
 * distribution instead.
 */
export function createFeatureExtractor(space: FeatureSpace): FeatureExtractor {
  const currencies = new Set(space.currencies);
  const countries = new Set(space.countries);
  const mccs = new Set(space.mccs);
  const names = [
    "amount_z",
    "amount_big",
    "amount_probe",
    "foreign",
    ...space.currencies.map((c) => `currency:${c}`),
    ...space.countries.map((c) => `country:${c}`),
    "country:none",
    ...space.mccs.map((m) => `mcc:${m}`),
    "mcc:none",
    "channel:app",
    "channel:web",
    "channel:pos",
    "channel:none",
    ...Array.from({ length: 24 }, (_, h) => `hour:${h}`),
  ];

  return {
    names,
    extract(item) {
      if (item.card_fingerprint === undefined) return { outOfDistribution: "no_card_fingerprint" };
      if (!currencies.has(item.currency)) return { outOfDistribution: "unknown_currency" };
      if (item.country !== undefined && !countries.has(item.country))
        return { outOfDistribution: "unknown_country" };
      if (item.mcc !== undefined && !mccs.has(item.mcc)) return { outOfDistribution: "unknown_mcc" };

      const norm =
        (item.mcc === undefined ? undefined : space.amount_norms[item.mcc]) ?? space.amount_norms["*"];
      const offset = space.currency_offsets[item.currency] ?? 0;
      const z = norm === undefined ? 0 : (logAmount(item.amount) - offset - norm.median) / norm.scale;
      const home = space.home_country[item.currency];
      const hour = cstHourOf(item.occurred_at);
      const out: PaymentFeatures = {
        names: ["amount_z", "amount_big", "amount_probe", `currency:${item.currency}`],
        values: [z, Math.max(0, z - BIG_FREE), Math.max(0, -z - PROBE_FREE), 1],
      };
      const add = (name: string, value = 1) => {
        out.names.push(name);
        out.values.push(value);
      };
      if (item.country !== undefined && home !== undefined && item.country !== home) add("foreign");
      add(item.country === undefined ? "country:none" : `country:${item.country}`);
      add(item.mcc === undefined ? "mcc:none" : `mcc:${item.mcc}`);
      add(`channel:${item.channel ?? "none"}`);
      if (hour !== undefined) add(`hour:${hour}`);
      return out;
    },
  };
}

import type { ScoreItem } from "@riskq/contracts";
import type { ChannelMix } from "./merchant-categories";
import type { Rng } from "./rng";

/** The payment part of an item; ids and time are stamped when the item is emitted. */
export type PaymentFields = Omit<ScoreItem, "item_id" | "merchant_id" | "occurred_at">;

const MAX_AMOUNT = 1_000_000;

/** A contract amount string ("128.50") from a positive number, kept within (0, 1 000 000.00]. */
export function formatAmount(amount: number): string {
  const clamped = Math.min(MAX_AMOUNT, Math.max(0.01, amount));
  return clamped.toFixed(2);
}

export function pickChannel(rng: Rng, mix: ChannelMix): "app" | "web" | "pos" {
  const total = mix.app + mix.web + mix.pos;
  const u = rng.next() * total;
  if (u < mix.app) return "app";
  return u < mix.app + mix.web ? "web" : "pos";
}

/** A country other than `home` from a list (falls back to the list's first entry). */
export function foreignCountry(rng: Rng, countries: readonly string[], home: string): string {
  for (let attempt = 0; attempt < 8; attempt++) {
    const country = rng.pick(countries);
    if (country !== home) return country;
  }
  return countries.find((c) => c !== home) ?? home;
}

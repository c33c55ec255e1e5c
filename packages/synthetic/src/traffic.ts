import type { ScoreItem } from "@riskq/contracts";
import { cstHour, rfc3339, withinHours } from "./clock-hours";
import {
  type CardTestingRun,
  cardTestingTry,
  MEAN_ITEMS_PER_FRAUD_EVENT,
  startFraud,
} from "./fraud-patterns";
import { honestPayment } from "./honest-payment";
import type { MerchantProfile } from "./merchants";
import type { PaymentFields } from "./payment-fields";
import { createRng, hashSeed } from "./rng";

/** A scoring item with its ground truth. */
export interface LabelledItem {
  item: ScoreItem;
  is_fraud: boolean;
}

export interface TrafficOptions {
  seed: number;
  merchants: readonly MerchantProfile[];
  count: number;
  /** occurred_at of the first item; later items advance from it. */
  start: Date | string | number;
  /** Mean gap between items at the busiest hour (default 4 s); quiet hours stretch it. */
  spacingMs?: number;
  /** Share of fraudulent items (default 0.02). */
  fraudRate?: number;
}

const DEFAULT_SPACING_MS = 4_000;
const DEFAULT_FRAUD_RATE = 0.02;
/** Share of its usual rate a merchant still sees outside its opening hours. */
const OFF_HOURS_ACTIVITY = 0.08;
/** Fraud does not sleep: per item, it is this much more likely at night (00–06 CST). */
const NIGHT_FRAUD_WEIGHT = 3;
const CARD_TESTING_GAP_MS = { min: 15_000, max: 120_000 };

interface HourSchedule {
  /** Cumulative merchant weights for this hour, for picking who sells. */
  cumulative: Float64Array;
  activity: number;
  fraudWeight: number;
}

function hourlySchedules(merchants: readonly MerchantProfile[]): HourSchedule[] {
  const schedules: HourSchedule[] = [];
  for (let hour = 0; hour < 24; hour++) {
    const cumulative = new Float64Array(merchants.length);
    let total = 0;
    merchants.forEach((m, i) => {
      total += m.volume * (withinHours(hour, m.active_hours) ? 1 : OFF_HOURS_ACTIVITY);
      cumulative[i] = total;
    });
    schedules.push({ cumulative, activity: total, fraudWeight: hour < 6 ? NIGHT_FRAUD_WEIGHT : 1 });
  }
  // Items per hour follow activity, so normalise the night weight over items, not over hours.
  const totalActivity = schedules.reduce((sum, s) => sum + s.activity, 0);
  const meanWeight = schedules.reduce((sum, s) => sum + (s.activity / totalActivity) * s.fraudWeight, 0);
  for (const s of schedules) s.fraudWeight /= meanWeight;
  return schedules;
}

function pickIndex(cumulative: Float64Array, u: number): number {
  const target = u * (cumulative[cumulative.length - 1] ?? 0);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function pickByVolume(merchants: readonly MerchantProfile[], u: number): MerchantProfile {
  const total = merchants.reduce((sum, m) => sum + m.volume, 0);
  let target = u * total;
  for (const m of merchants) {
    target -= m.volume;
    if (target < 0) return m;
  }
  return merchants[merchants.length - 1] as MerchantProfile;
}

/**
 * Generates `count` labelled payments across `merchants`, in time order. Legitimate traffic
 * follows each merchant's hours and habits; fraud (about `fraudRate` of items) shows big
 * amounts, foreign or high-risk countries, risky MCCs, web checkouts, night hours and
 * card-testing bursts — with deliberate overlap both ways. The same options give the same items.
 */
export function generateTraffic(options: TrafficOptions): LabelledItem[] {
  const { seed, merchants, count } = options;
  const spacingMs = options.spacingMs ?? DEFAULT_SPACING_MS;
  const fraudRate = options.fraudRate ?? DEFAULT_FRAUD_RATE;
  if (merchants.length === 0) throw new RangeError("generateTraffic needs at least one merchant");
  if (!(fraudRate >= 0 && fraudRate <= 0.5)) throw new RangeError("fraudRate must be within [0, 0.5]");
  let clock = new Date(options.start).getTime();
  if (Number.isNaN(clock)) throw new RangeError("start is not a valid date");

  const rng = createRng(hashSeed("traffic", seed));
  const idTag = hashSeed("traffic-id", seed).toString(36);
  const schedules = hourlySchedules(merchants);
  const peakActivity = Math.max(...schedules.map((s) => s.activity));
  const eventRate = fraudRate / MEAN_ITEMS_PER_FRAUD_EVENT;
  const runs: { run: CardTestingRun; dueAt: number }[] = [];
  // Only pool cards need remembering: one-off cards never come back.
  const cardUse = { lastUsedMs: new Map<string, number>(), nowMs: clock };
  const out: LabelledItem[] = [];

  const emit = (merchant: MerchantProfile, payment: PaymentFields, isFraud: boolean) => {
    out.push({
      item: {
        item_id: `tx_${idTag}_${out.length}`,
        merchant_id: merchant.merchant_id,
        ...payment,
        occurred_at: rfc3339(clock),
      },
      is_fraud: isFraud,
    });
  };

  while (out.length < count) {
    const schedule = schedules[cstHour(clock)] as HourSchedule;
    const due = runs.findIndex((r) => r.dueAt <= clock);
    const pending = runs[due];
    if (pending) {
      emit(pending.run.merchant, cardTestingTry(rng, pending.run), true);
      pending.run.remaining -= 1;
      pending.dueAt = clock + rng.int(CARD_TESTING_GAP_MS.min, CARD_TESTING_GAP_MS.max);
      if (pending.run.remaining <= 0) runs.splice(due, 1);
    } else if (rng.chance(eventRate * schedule.fraudWeight)) {
      // Fraudsters pick victims by size, not by opening hours.
      const merchant = pickByVolume(merchants, rng.next());
      const { payment, run } = startFraud(rng, merchant);
      emit(merchant, payment, true);
      if (run && run.remaining > 0) {
        runs.push({ run, dueAt: clock + rng.int(CARD_TESTING_GAP_MS.min, CARD_TESTING_GAP_MS.max) });
      }
    } else {
      const merchant = merchants[pickIndex(schedule.cumulative, rng.next())] as MerchantProfile;
      cardUse.nowMs = clock;
      emit(merchant, honestPayment(rng, merchant, cardUse), false);
    }
    // Poisson arrivals, thinner in quiet hours.
    clock += (spacingMs * -Math.log(1 - rng.next()) * peakActivity) / schedule.activity;
  }
  return out;
}

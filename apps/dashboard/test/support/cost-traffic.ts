import type { Billing } from "@riskq/contracts";
import {
  PREFILTER_BUCKETS,
  type PrefilterBucket,
  recordAnsweredCall,
  recordLocalDecisions,
  recordLostCall,
  type ScoredItem,
  usdOf,
} from "@riskq/cost";
import type { Redis } from "ioredis";

export const MERCHANT_A = "2088000000000001";
export const MERCHANT_B = "2088000000000002";
const TASK = "card_risk";
const MODEL = "risk-v3-2026-11";
const DAY_MS = 86_400_000;

/** Money of the recorded calls per UTC day, in ledger units (what the page must add up). */
export interface RecordedSpend {
  today: number;
  yesterday: number;
  /** 20 days before `now`: inside the projection's 30-day window, in an earlier month when now is early in one. */
  earlier: number;
}

/**
 * Books a small, varied traffic through the ledger's own recording functions, as a worker would:
 * confidences spread over [0, 1) flagged at `threshold`, pre-filter verdicts on the clear cases,
 * items the pre-filter decided locally, full and partial batches, and one lost answer (an estimate).
 */
export async function recordTraffic(
  redis: Redis,
  prefix: string,
  now: number,
  threshold = 0.7,
): Promise<RecordedSpend> {
  const spend: RecordedSpend = { today: 0, yesterday: 0, earlier: 0 };
  let seed = 0;
  const answered = async (
    day: keyof RecordedSpend,
    at: number,
    merchantId: string,
    items: number,
    capBound: boolean,
  ) => {
    const scored: ScoredItem[] = Array.from({ length: items }, () => {
      // A fixed walk over the bins: 0.0427, 0.4154, 0.7881, 0.1608, … (every bin region visited).
      seed = (seed + 3727) % 10_000;
      const confidence = seed / 10_000;
      return { confidence, flagged: confidence >= threshold, prefilterBucket: bucketOf(confidence) };
    });
    const flagged = scored.filter((s) => s.flagged).length;
    const billing = billingOf(items, flagged);
    await recordAnsweredCall(
      redis,
      { prefix, now: at },
      { merchantId, task: TASK, modelVersion: MODEL, billing, itemsSent: items, scored, capBound },
    );
    spend[day] += 100 + items + 40 * flagged;
  };

  const today = now;
  const yesterday = now - DAY_MS;
  const earlier = now - 20 * DAY_MS;
  for (let i = 0; i < 6; i++) await answered("today", today, MERCHANT_A, 4 + i, false);
  // Full batches at the workers' default BATCH_CAP (100).
  for (let i = 0; i < 3; i++) await answered("yesterday", yesterday, MERCHANT_B, 100, true);
  await answered("earlier", earlier, MERCHANT_A, 7, false);
  // A lost answer: booked as an estimate (call + items + expected reviews at today's flagged share).
  const reviewUnits = await recordLostCall(
    redis,
    { prefix, now: today },
    { merchantId: MERCHANT_A, task: TASK, modelVersion: MODEL, itemsSent: 3, capBound: false },
  );
  spend.today += 100 + 3 + reviewUnits;
  await recordLocalDecisions(
    redis,
    { prefix, now: today },
    { task: TASK, modelVersion: MODEL, bucket: PREFILTER_BUCKETS.legit, count: 9 },
  );
  await recordLocalDecisions(
    redis,
    { prefix, now: today },
    { task: TASK, modelVersion: MODEL, bucket: PREFILTER_BUCKETS.fraud, count: 2 },
  );
  return spend;
}

/** The published prices (docs/alipay-ai-api.md §9): 0.0100 per call, 0.0001 per item, 0.0040 per flagged item. */
function billingOf(items: number, flagged: number): Billing {
  return {
    call_fee: usdOf(100),
    item_fees: usdOf(items),
    review_fees: usdOf(40 * flagged),
    total: usdOf(100 + items + 40 * flagged),
    currency: "USD",
  };
}

function bucketOf(confidence: number): PrefilterBucket {
  if (confidence < 0.2) return PREFILTER_BUCKETS.legit;
  if (confidence > 0.9) return PREFILTER_BUCKETS.fraud;
  return PREFILTER_BUCKETS.undecided;
}

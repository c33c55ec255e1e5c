/**
 * Writing the ledger and the recorded traffic: one script per remote call (one round trip on the
 * worker's hot path; the counters of a call land together or not at all), sent by its SHA so the
 * script's text is not shipped and hashed again with every call.
 */
import type { Billing } from "@riskq/contracts";
import { runScript } from "@riskq/redis";
import type { Redis } from "ioredis";
import { dayNumberOf, utcDayOf } from "./ledger-days";
import {
  DEFAULT_RETENTION_DAYS,
  fieldOf,
  type LedgerMetric,
  ledgerDayKey,
  recordedDaysKey,
  trafficDayKey,
} from "./ledger-keys";
import { type PriceList, PUBLISHED_PRICE_UNITS, unitsOf } from "./ledger-units";
import {
  confidenceBin,
  isPrefilterBucket,
  PREFILTER_BUCKETS,
  type PrefilterBucket,
  trafficFieldOf,
} from "./traffic-histogram";

export interface LedgerRecordOptions {
  /** The worker's key prefix, a hash tag such as `{riskq}`. */
  prefix: string;
  /** The recording clock (epoch ms): picks the UTC day the call is booked on. */
  now: number;
  /** How long a day is kept after its last write (default 400 days). */
  retentionDays?: number | undefined;
}

/** Which ledger row a call is booked on. */
export interface LedgerCallKey {
  merchantId: string;
  task: string;
  /** The model that answered (or, for a lost answer, the one pinned). */
  modelVersion: string;
}

/** One item the answer scored. */
export interface ScoredItem {
  confidence: number;
  flagged: boolean;
  /** The pre-filter's verdict on the item (PREFILTER_BUCKETS); none = `undecided`. */
  prefilterBucket?: number | undefined;
}

/** A call that answered 200 with its `billing` (silent drops and truncated batches included). */
export interface AnsweredCall extends LedgerCallKey {
  billing: Billing;
  itemsSent: number;
  scored: readonly ScoredItem[];
  /** The batch was full: it left because of the cap, not because no more items came. */
  capBound: boolean;
}

/** A call whose answer was lost after the request may have reached Alipay (a client timeout). */
export interface LostCall extends LedgerCallKey {
  itemsSent: number;
  capBound: boolean;
}

const TAIL = `
redis.call("PEXPIRE", KEYS[1], ARGV[1])
redis.call("PEXPIRE", KEYS[2], ARGV[1])
redis.call("ZADD", KEYS[3], ARGV[2], ARGV[3])
redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", "(" .. ARGV[4])
redis.call("PEXPIRE", KEYS[3], ARGV[1])`;

// KEYS: ledger day, traffic day, recorded days. ARGV: ttl ms, day number, day, oldest day number
// kept, n, then n ledger field/increment pairs, then traffic field/increment pairs.
const RECORD_ANSWERED = `
local n = tonumber(ARGV[5])
for i = 6, 5 + 2 * n, 2 do redis.call("HINCRBY", KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 6 + 2 * n, #ARGV, 2 do redis.call("HINCRBY", KEYS[2], ARGV[i], ARGV[i + 1]) end
${TAIL}
return 1`;

// KEYS as above. ARGV: ttl ms, day number, day, oldest day number kept, the row's field prefix
// ("<merchant>|<task>|<model>|"), items sent, call / item / review price in units, then traffic
// field/increment pairs. The expected flagged share is this row's own share today (flagged of
// answered items); with nothing answered yet today, the worst case: every item flagged.
const RECORD_LOST = `
local p = ARGV[5]
local items = tonumber(ARGV[6])
local callUnits = tonumber(ARGV[7])
local itemUnits = items * tonumber(ARGV[8])
local seen = redis.call("HMGET", KEYS[1], p .. "flagged", p .. "answered")
local flagged = tonumber(seen[1] or "0")
local answered = tonumber(seen[2] or "0")
local share = 1
if answered > 0 then share = flagged / answered end
local expected = items * share
local reviewUnits = math.floor(expected * tonumber(ARGV[9]) + 0.5)
redis.call("HINCRBY", KEYS[1], p .. "estimated_calls", 1)
redis.call("HINCRBY", KEYS[1], p .. "estimated_items", items)
redis.call("HINCRBYFLOAT", KEYS[1], p .. "estimated_flagged", string.format("%.6f", expected))
redis.call("HINCRBY", KEYS[1], p .. "estimated_call_units", callUnits)
redis.call("HINCRBY", KEYS[1], p .. "estimated_item_units", itemUnits)
redis.call("HINCRBY", KEYS[1], p .. "estimated_review_units", reviewUnits)
redis.call("HINCRBY", KEYS[1], p .. "estimated_total_units", callUnits + itemUnits + reviewUnits)
for i = 10, #ARGV, 2 do redis.call("HINCRBY", KEYS[2], ARGV[i], ARGV[i + 1]) end
${TAIL}
return reviewUnits`;

/** The keys and leading arguments both scripts share. */
function dayArgs(options: LedgerRecordOptions): { keys: string[]; args: Array<string | number> } {
  const day = utcDayOf(options.now);
  const dayNumber = dayNumberOf(day);
  const retention = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(retention) || retention < 1) {
    throw new RangeError(`retentionDays must be a whole number ≥ 1, got ${retention}`);
  }
  return {
    keys: [
      ledgerDayKey(options.prefix, day),
      trafficDayKey(options.prefix, day),
      recordedDaysKey(options.prefix),
    ],
    args: [retention * 86_400_000, dayNumber, day, dayNumber - retention + 1],
  };
}

const rowField = (key: LedgerCallKey, metric: LedgerMetric): string =>
  fieldOf(key.merchantId, key.task, key.modelVersion, metric);

/** The traffic counters of one call: its size and, per scored item, its bins. */
function trafficPairs(
  call: LedgerCallKey & { itemsSent: number; capBound: boolean },
  scored: readonly ScoredItem[],
): Array<string | number> {
  const { task, modelVersion } = call;
  const counts = new Map<string, number>();
  const add = (field: string) => counts.set(field, (counts.get(field) ?? 0) + 1);
  add(trafficFieldOf({ kind: "call", task, modelVersion, items: call.itemsSent, capBound: call.capBound }));
  for (const item of scored) {
    const bucket = bucketOf(item.prefilterBucket);
    add(trafficFieldOf({ kind: "conf", task, modelVersion, bucket, bin: confidenceBin(item.confidence) }));
    if (item.flagged) add(trafficFieldOf({ kind: "flag", task, modelVersion, bucket }));
  }
  return [...counts].flat();
}

function bucketOf(bucket: number | undefined): PrefilterBucket {
  if (bucket === undefined) return PREFILTER_BUCKETS.undecided;
  if (!isPrefilterBucket(bucket)) throw new RangeError(`unknown pre-filter bucket ${bucket}`);
  return bucket;
}

/** Books an answered call: its billing to the ledger, its items to the recorded traffic. */
export async function recordAnsweredCall(
  redis: Redis,
  options: LedgerRecordOptions,
  call: AnsweredCall,
): Promise<void> {
  const { keys, args } = dayArgs(options);
  const callUnits = unitsOf(call.billing.call_fee);
  const itemUnits = unitsOf(call.billing.item_fees);
  const reviewUnits = unitsOf(call.billing.review_fees);
  const ledger: Array<[LedgerMetric, number]> = [
    ["calls", 1],
    ["items", call.itemsSent],
    ["answered", call.scored.length],
    ["flagged", call.scored.filter((item) => item.flagged).length],
    ["call_units", callUnits],
    ["item_units", itemUnits],
    ["review_units", reviewUnits],
    // As billed: `total` is what Alipay charges, even if it ever disagreed with the sum of its parts.
    ["total_units", unitsOf(call.billing.total)],
  ];
  const pairs = ledger.filter(([, n]) => n !== 0).flatMap(([metric, n]) => [rowField(call, metric), n]);
  await runScript(redis, RECORD_ANSWERED, keys, [
    ...args,
    pairs.length / 2,
    ...pairs,
    ...trafficPairs(call, call.scored),
  ]);
}

/**
 * Books a call whose answer was lost as an estimate (the `estimated_*` metrics): call fee + items
 * sent × item fee + the expected flagged items × review fee, the expected share being the row's own
 * flagged share today (the worst case, all flagged, before anything answered). Returns the review
 * units estimated. The call also counts in the recorded traffic, as the items were sent.
 */
export async function recordLostCall(
  redis: Redis,
  options: LedgerRecordOptions & { prices?: PriceList },
  call: LostCall,
): Promise<number> {
  const { keys, args } = dayArgs(options);
  const prices = options.prices ?? PUBLISHED_PRICE_UNITS;
  const reviewUnits = await runScript(redis, RECORD_LOST, keys, [
    ...args,
    `${fieldOf(call.merchantId, call.task, call.modelVersion)}|`,
    call.itemsSent,
    prices.call,
    prices.item,
    prices.review,
    ...trafficPairs(call, []),
  ]);
  return Number(reviewUnits);
}

/**
 * Counts items the pre-filter decided locally (never sent to Alipay), per bucket: for the
 * simulator's "pre-filter off" (what they would have cost remotely).
 */
export async function recordLocalDecisions(
  redis: Redis,
  options: LedgerRecordOptions,
  decided: { task: string; modelVersion: string; bucket: PrefilterBucket; count: number },
): Promise<void> {
  if (decided.count <= 0) return;
  const { keys, args } = dayArgs(options);
  const field = trafficFieldOf({
    kind: "local",
    task: decided.task,
    modelVersion: decided.modelVersion,
    bucket: bucketOf(decided.bucket),
  });
  await runScript(redis, RECORD_ANSWERED, keys, [...args, 0, field, decided.count]);
}

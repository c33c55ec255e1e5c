import { readRecordedTraffic, utcDayOf } from "@riskq/cost";
import type { Redis } from "ioredis";
import { type BillProjection, projectBills } from "./bill-curves";
import type { CostSettings } from "./cost-settings";
import { readSpend, type Spend } from "./spend";

/** Recorded days the projection rests on, ending today (as `riskq cost simulate` by default). */
export const TRAFFIC_WINDOW_DAYS = 30;

/** Everything the cost page shows, read at one instant. */
export interface CostReport {
  generatedAt: number;
  /** The UTC days whose recorded traffic was read (both ends included). */
  window: { from: string; to: string };
  spend: Spend;
  /** undefined: no traffic recorded in the window. */
  projection: BillProjection | undefined;
}

export interface CostReportSource {
  redis: Redis;
  /** The workers' key prefix. */
  prefix: string;
  settings: CostSettings;
  now: () => number;
}

export async function readCostReport(source: CostReportSource): Promise<CostReport> {
  const now = source.now();
  const window = { from: utcDayOf(now - (TRAFFIC_WINDOW_DAYS - 1) * 86_400_000), to: utcDayOf(now) };
  const [spend, traffic] = await Promise.all([
    readSpend({ redis: source.redis, prefix: source.prefix, budgets: source.settings.budgets, now }),
    readRecordedTraffic(source.redis, source.prefix, window),
  ]);
  return { generatedAt: now, window, spend, projection: projectBills(traffic, source.settings) };
}

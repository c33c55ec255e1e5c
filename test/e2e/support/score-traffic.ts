import type { ScoreRequestBody, Task } from "@riskq/contracts";
import { generateMerchants, generateTraffic, type MerchantProfile } from "@riskq/synthetic";

export interface ScoreTrafficOptions {
  seed: number;
  merchants: readonly MerchantProfile[];
  count: number;
  task?: Task;
  /** Long by default: these tests are about jobs being scored, not about deadlines. */
  deadlineMs?: number;
}

/** Synthetic score requests (unique item ids) spread over the merchants, as services would send them. */
export function scoreRequests(options: ScoreTrafficOptions): ScoreRequestBody[] {
  const traffic = generateTraffic({
    seed: options.seed,
    merchants: options.merchants,
    count: options.count,
    // In the recent past, one item every 50 ms.
    start: Date.now() - options.count * 50 - 60_000,
    spacingMs: 50,
  });
  return traffic.map(({ item }) => ({
    ...item,
    task: options.task ?? "transaction_anomaly",
    deadline_ms: options.deadlineMs ?? 30 * 60_000,
  }));
}

/** `count` synthetic merchants for a seed. */
export function testMerchants(seed: number, count: number): MerchantProfile[] {
  return generateMerchants({ seed, count });
}

/** Splits a list into chunks of at most `size` (the API takes 1 000 items per batch request). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

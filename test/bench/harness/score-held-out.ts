/**
 * Scoring held-out labelled traffic on the real sandbox the way the pre-filter benches compare it:
 * each merchant's chosen items in time order, in batches of ≤ 100, several merchants at once.
 */
import { randomBytes } from "node:crypto";
import type { AlipayClient } from "@riskq/alipay";
import { DEFAULT_CONFIDENCE_THRESHOLD, type ScoreItem, type Task } from "@riskq/contracts";
import type { PrefilterVerdict } from "@riskq/prefilter";
import type { LabelledItem } from "@riskq/synthetic";
import type { SandboxProcess } from "@riskq/testing";
import type { Redis } from "ioredis";
import { benchClient } from "./bench-sandbox";
import { deletePrefix, newBenchPrefix } from "./redis-prefix";

export const HELD_OUT_MODEL_VERSION = "risk-v3-2026-11";
export const HELD_OUT_BATCH_CAP = 100;
/** Merchants scored at once (each merchant's own batches stay in order: the remote is stateful). */
const MERCHANTS_IN_FLIGHT = 8;
const UNLIMITED = { app_qps: 100_000, app_burst: 100_000, batch_qps: 100_000, batch_burst: 100_000 };

export interface RemoteRun {
  /** Confidence per item index; NaN for items not sent. */
  confidence: Float64Array;
  sent: number;
  calls: number;
  costUsd: number;
}

/**
 * Scores the chosen items on a freshly reset sandbox (same seed: same answers to the same calls).
 * `prefixes` collects the Redis prefix used, so a bench stopped halfway can still delete it.
 */
export async function scoreRemotely(options: {
  sandbox: SandboxProcess;
  redis: Redis;
  prefixes: string[];
  task: Task;
  traffic: readonly LabelledItem[];
  chosen: (index: number) => boolean;
}): Promise<RemoteRun> {
  const { sandbox, redis, task, traffic, chosen } = options;
  await sandbox.reset();
  await sandbox.control.faults({ rate_limits: UNLIMITED });
  const prefix = newBenchPrefix();
  options.prefixes.push(prefix);
  const client = benchClient(sandbox, { redis, prefix, secretKey: randomBytes(32) });
  const byMerchant = new Map<string, number[]>();
  traffic.forEach(({ item }, i) => {
    if (!chosen(i)) return;
    const list = byMerchant.get(item.merchant_id) ?? [];
    list.push(i);
    byMerchant.set(item.merchant_id, list);
  });
  for (const merchantId of byMerchant.keys()) {
    const { auth_code } = await sandbox.control.createMerchant(merchantId);
    await client.onboardMerchant(merchantId, auth_code);
  }

  const confidence = new Float64Array(traffic.length).fill(Number.NaN);
  let calls = 0;
  const queue = [...byMerchant.entries()];
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [merchantId, indices] = next;
      for (let from = 0; from < indices.length; from += HELD_OUT_BATCH_CAP) {
        const batch = indices.slice(from, from + HELD_OUT_BATCH_CAP);
        calls++;
        const answered = await scoreBatch(
          client,
          merchantId,
          task,
          batch.map((i) => traffic[i]!.item),
        );
        batch.forEach((i, k) => {
          confidence[i] = answered[k]!;
        });
      }
    }
  };
  await Promise.all(Array.from({ length: MERCHANTS_IN_FLIGHT }, lane));
  const ledger = await sandbox.control.ledger();
  await deletePrefix(redis, prefix);
  const sent = [...byMerchant.values()].reduce((n, list) => n + list.length, 0);
  return { confidence, sent, calls, costUsd: ledger.cost_usd };
}

async function scoreBatch(client: AlipayClient, merchantId: string, task: Task, items: ScoreItem[]) {
  const res = await client.scoreBatch({
    merchantId,
    task,
    modelVersion: HELD_OUT_MODEL_VERSION,
    threshold: DEFAULT_CONFIDENCE_THRESHOLD,
    items,
  });
  if (res.missing) throw new Error(`${res.missing.itemIds.length} items unanswered: ${res.missing.message}`);
  return res.outcomes.map((o) => ("result" in o ? o.result.confidence : Number.NaN));
}

/** The pre-filter decided this item itself: it is never sent to Alipay. */
export const decidedLocally = (verdict: PrefilterVerdict): boolean =>
  verdict.decision === "legit" || verdict.decision === "fraud";

/**
 * The pipeline's answer per item: the pre-filter's confidence where it decided, the remote's (from
 * the run of everything else) where it did not.
 */
export function pipelineConfidences(verdicts: readonly PrefilterVerdict[], rest: RemoteRun): number[] {
  return verdicts.map((v, i) =>
    v.decision === "legit" || v.decision === "fraud" ? v.score.confidence : (rest.confidence[i] as number),
  );
}

/**
 * Scores synthetic traffic through a real sandbox process the way a client does: onboarded merchants,
 * the official SDK, the AES key valid at the sandbox's virtual now, batches of 100 per merchant.
 */
import { API_PATHS, type ScoreResponse } from "@riskq/contracts";
import type { LabelledItem } from "@riskq/synthetic";
import { createSdk, currentAesKey, onboardMerchant, type SandboxProcess } from "@riskq/testing";
import type { AlipaySdk } from "alipay-sdk";

export const MODEL = "risk-v3-2026-11";
const BATCH = 100;
/** Calls in flight at once: enough to keep the sandbox busy without a queue of our own. */
const CONCURRENCY = 6;

/** A merchant's scoring client, by merchant id. */
export type MerchantScorers = Map<string, (items: LabelledItem[]) => Promise<number[]>>;

/** Onboards every merchant of `merchantIds` and returns a scorer per merchant. */
export async function merchantScorers(
  sandbox: SandboxProcess,
  merchantIds: string[],
): Promise<MerchantScorers> {
  const plain = createSdk(sandbox);
  const now = new Date((await sandbox.control.state()).clock.now);
  const key = await currentAesKey(plain, now);
  const encrypting: AlipaySdk = createSdk(sandbox, { encryptKey: key.aes_key });
  const scorers: MerchantScorers = new Map();
  for (const merchantId of merchantIds) {
    const { appAuthToken } = await onboardMerchant(sandbox, plain, merchantId);
    scorers.set(merchantId, async (items) => {
      const res = await encrypting.curl<ScoreResponse>("POST", API_PATHS.batchPredict, {
        body: { task: "card_risk", model_version: MODEL, items: items.map((i) => i.item) },
        needEncrypt: true,
        appAuthToken,
      });
      if (res.data.results.length !== items.length) {
        throw new Error(`sandbox scored ${res.data.results.length} of ${items.length} items`);
      }
      const byId = new Map(res.data.results.map((r) => [r.item_id, r.confidence]));
      return items.map((i) => byId.get(i.item.item_id) ?? Number.NaN);
    });
  }
  return scorers;
}

/** Confidences of `traffic`, in traffic order (batched per merchant, several calls in flight). */
export async function scoreTraffic(
  scorers: MerchantScorers,
  traffic: readonly LabelledItem[],
): Promise<number[]> {
  const indexesByMerchant = new Map<string, number[]>();
  traffic.forEach((t, index) => {
    const list = indexesByMerchant.get(t.item.merchant_id) ?? [];
    list.push(index);
    indexesByMerchant.set(t.item.merchant_id, list);
  });
  const batches: number[][] = [];
  for (const indexes of indexesByMerchant.values()) {
    for (let i = 0; i < indexes.length; i += BATCH) batches.push(indexes.slice(i, i + BATCH));
  }
  const scores = new Array<number>(traffic.length).fill(Number.NaN);
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const items = batch.map((i) => traffic[i]!);
      const scorer = scorers.get(items[0]!.item.merchant_id);
      if (!scorer) throw new Error(`no scorer for merchant ${items[0]!.item.merchant_id}`);
      const confidences = await scorer(items);
      batch.forEach((trafficIndex, k) => {
        scores[trafficIndex] = confidences[k]!;
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return scores;
}

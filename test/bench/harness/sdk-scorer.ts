import { API_PATHS, type ScoreItem, type ScoreResponse } from "@riskq/contracts";
import { createSdk } from "@riskq/testing";
import type { SdkClientSettings } from "./client-protocol";
import { BENCH_MODEL_VERSION, BENCH_TASK, type Scorer } from "./scorer";

/**
 * Raw alipay-sdk `curl()` with a fixed AES key and merchant token: the cost of the call itself
 * (the SDK's signing and crypto-js AES), with none of the checks a real client needs.
 */
export function createSdkScorer(config: SdkClientSettings): Scorer {
  const sdk = createSdk(config, { encryptKey: config.aesKey });
  return {
    async score(items: ScoreItem[]) {
      const res = await sdk.curl<ScoreResponse>("POST", API_PATHS.batchPredict, {
        body: { task: BENCH_TASK, model_version: BENCH_MODEL_VERSION, items },
        needEncrypt: true,
        appAuthToken: config.appAuthToken,
      });
      // A 200 with fewer results would be a silent drop or truncation: not the work we meant to time.
      if (res.data.results.length !== items.length) {
        throw new Error(`expected ${items.length} results, got ${res.data.results.length}`);
      }
    },
    close() {},
  };
}

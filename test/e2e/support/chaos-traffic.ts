import type { ScoreRequestBody } from "@riskq/contracts";
import { scoreRequests, testMerchants } from "./score-traffic";
import { SecretHarvest } from "./secret-scan";
import type { Stack } from "./stack";

export interface ChaosTrafficOptions {
  /** Seeds the merchants; the requests use `seed + 1`. */
  seed: number;
  merchants: number;
  jobs: number;
  callbackUrl: string;
  callbackSecret: string;
  /** The app private key PEM (its lines are secrets too). */
  appPrivateKey: string;
}

/**
 * What every chaos scenario starts from: onboarded merchants, their requests (each with a result
 * callback), and a running harvest of every secret that must never show up in a log — the API key,
 * the callback secret, the app's private key, the tokens and keys in Redis, the card fingerprints.
 */
export async function prepareChaosTraffic(stack: Stack, options: ChaosTrafficOptions) {
  const merchants = testMerchants(options.seed, options.merchants);
  const merchantIds = merchants.map((m) => m.merchant_id);
  await stack.onboardMerchants(merchantIds);
  const harvest = new SecretHarvest(stack.testRedis.redis, stack.prefix, stack.secretKey)
    .add(stack.apiKey, "API key")
    .add(options.callbackSecret, "callback secret")
    .addPrivateKeyPem(options.appPrivateKey, "app private key")
    .start();
  const requests: ScoreRequestBody[] = scoreRequests({
    seed: options.seed + 1,
    merchants,
    count: options.jobs,
  }).map((r) => ({ ...r, callback_url: options.callbackUrl }));
  harvest.addCardFingerprints(requests.map((r) => r.card_fingerprint));
  return { merchantIds, harvest, requests };
}

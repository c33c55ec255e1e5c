import { createAlipayClient } from "@riskq/alipay";
import type { ScoreItem } from "@riskq/contracts";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { RiskqClientSettings } from "./client-protocol";
import { BENCH_MODEL_VERSION, BENCH_TASK, type Scorer } from "./scorer";

/**
 * riskq's own client, `scoreBatch()`: token and AES key read from Redis on every call, native AES,
 * the strict request and response checks. The merchant was onboarded under the shared prefix by
 * the orchestrator, so every client process uses the same token.
 */
export function createRiskqScorer(config: RiskqClientSettings): Scorer {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  const client = createAlipayClient({
    endpoint: config.url,
    appId: config.appId,
    appPrivateKey: config.appPrivateKey,
    platformPublicKey: config.platformPublicKey,
    redis,
    prefix: config.prefix,
    secretKey: Buffer.from(config.secretKey, "base64"),
    // stdout carries the JSON-lines protocol (pino's lines would look like messages): log to stderr.
    logger: pino({ level: "warn" }, pino.destination(2)),
  });
  return {
    async score(items: ScoreItem[]) {
      const res = await client.scoreBatch({
        merchantId: config.merchant.merchant_id,
        task: BENCH_TASK,
        modelVersion: BENCH_MODEL_VERSION,
        items,
      });
      if (res.missing) {
        throw new Error(
          `${res.missing.itemIds.length} of ${items.length} items unanswered: ${res.missing.message}`,
        );
      }
    },
    close() {
      redis.disconnect();
    },
  };
}

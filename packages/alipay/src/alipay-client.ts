import { createPrivateKey, createPublicKey } from "node:crypto";
import { API_PATHS, type Billing } from "@riskq/contracts";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { AesKeys, type KnownKey } from "./aes-keys";
import { type Clock, systemClock } from "./clock";
import { AlipayError } from "./errors/alipay-error";
import { AuthRevoked } from "./errors/auth-revoked";
import { BatchTruncated } from "./errors/batch-truncated";
import { KeyRejected } from "./errors/key-rejected";
import type { SilentDrop } from "./errors/silent-drop";
import { type MerchantStatus, MerchantTokenStore } from "./merchant-token-store";
import { MerchantTokens } from "./merchant-tokens";
import { buildScoreRequest, type ScoreBatchInput } from "./score-request";
import { checkScoreResponse, type ItemOutcome } from "./score-response";
import { SecretBox } from "./secret-box";
import { type SignedCallRequest, type SignedCallResponse, signedCall } from "./wire/signed-call";

/** What the client reports per remote call; wire it to metrics (prom-client) in apps. */
export interface AlipayMetrics {
  observeCall(call: { operation: string; outcome: "ok" | string; latencyMs: number }): void;
}

export interface AlipayClientOptions {
  endpoint: string;
  appId: string;
  /** PEM (PKCS#1 or PKCS#8). */
  appPrivateKey: string;
  /** PEM (SPKI). */
  platformPublicKey: string;
  redis: Redis;
  /** Redis key prefix with a hash tag, e.g. "{riskq}". */
  prefix: string;
  /** 32 bytes: seals tokens and keys at rest (RISKQ_SECRET_KEY). */
  secretKey: Buffer;
  logger: Logger;
  clock?: Clock;
  metrics?: AlipayMetrics;
  /** Deadline of calls that get no signal of their own (default 5 s). */
  defaultTimeoutMs?: number;
}

export interface ScoreBatchResult {
  modelVersion: string;
  /** From `x-alipay-model-expiry` when the remote sends it (only the sandbox does). */
  modelExpiry: Date | undefined;
  billing: Billing;
  latencyMs: number;
  outcomes: ItemOutcome[];
  /** Set when items are unanswered (which ones, and whether the batch was truncated). */
  missing: SilentDrop | BatchTruncated | undefined;
}

export interface KeyHealth {
  healthy: boolean;
  keyId: string | undefined;
  detail: string;
}

/**
 * The only code that talks to Alipay. Everything that goes wrong silently upstream (expired tokens
 * behind 200, rotated keys behind invalid-signature, truncated batches) surfaces here as a typed
 * AlipayError or a per-item reason, never as a "successful" result.
 */
export function createAlipayClient(options: AlipayClientOptions) {
  const clock = options.clock ?? systemClock;
  const identity = {
    endpoint: options.endpoint.replace(/\/$/, ""),
    appId: options.appId,
    appPrivateKey: createPrivateKey(options.appPrivateKey),
    platformPublicKey: createPublicKey(options.platformPublicKey),
  };
  const box = new SecretBox(options.secretKey);
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
  const logger = options.logger;
  const batchCapKey = `${options.prefix}:alipay:batch-cap`;

  const call = async (
    req: Omit<SignedCallRequest, "timeoutMs"> & { timeoutMs?: number },
  ): Promise<SignedCallResponse> => {
    const started = performance.now();
    try {
      const res = await signedCall(identity, { ...req, timeoutMs: req.timeoutMs ?? defaultTimeoutMs });
      options.metrics?.observeCall({ operation: req.operation, outcome: "ok", latencyMs: res.latencyMs });
      return res;
    } catch (err) {
      const outcome = err instanceof AlipayError ? (err.remoteCode ?? err.code) : "error";
      options.metrics?.observeCall({
        operation: req.operation,
        outcome,
        latencyMs: performance.now() - started,
      });
      throw err;
    }
  };

  const keys = new AesKeys({ redis: options.redis, prefix: options.prefix, box, clock, logger, call });
  const tokenStore = new MerchantTokenStore(options.redis, options.prefix, box);
  const tokens = new MerchantTokens({
    store: tokenStore,
    clock,
    logger,
    call,
  });

  /** One encrypted call; on invalid-signature, refetch the keys and try once more (contract 3). */
  async function encryptedCall(
    req: Omit<SignedCallRequest, "timeoutMs" | "aesKey"> & { timeoutMs?: number },
  ) {
    const key = await keys.currentKey();
    try {
      return { res: await call({ ...req, aesKey: key.aesKey }), key };
    } catch (err) {
      if (!(err instanceof KeyRejected)) throw err;
      logger.warn(
        { keyId: key.keyId, operation: req.operation },
        "invalid-signature: refetching AES keys and retrying once",
      );
      await keys.fetchKeys();
      const fresh = await keys.currentKey();
      try {
        return { res: await call({ ...req, aesKey: fresh.aesKey }), key: fresh };
      } catch (retryErr) {
        if (retryErr instanceof KeyRejected) {
          throw new KeyRejected(`still rejected after refetching keys (key ${fresh.keyId})`, {
            ...(retryErr.remoteCode ? { remoteCode: retryErr.remoteCode } : {}),
            cause: retryErr,
          });
        }
        throw retryErr;
      }
    }
  }

  return {
    /** Scores up to 100 items of one merchant; every item gets a result or the reason it has none. */
    async scoreBatch(input: ScoreBatchInput): Promise<ScoreBatchResult> {
      const request = buildScoreRequest(input);
      const { token, version } = await tokens.get(input.merchantId);
      let res: SignedCallResponse;
      try {
        ({ res } = await encryptedCall({
          operation: "batch predict",
          method: "POST",
          path: API_PATHS.batchPredict,
          body: request,
          appAuthToken: token,
          signal: input.signal,
          merchantId: input.merchantId,
          modelVersion: input.modelVersion,
        }));
      } catch (err) {
        if (err instanceof AuthRevoked) await tokens.markRevoked(input.merchantId, err.message);
        throw err;
      }
      const sentIds = request.items.map((item) => item.item_id);
      const checked = checkScoreResponse(res.json, sentIds, input.modelVersion);
      if (checked.missing) {
        logger.warn(
          {
            merchantId: input.merchantId,
            code: checked.missing.code,
            unanswered: checked.missing.itemIds.length,
          },
          checked.missing.message,
        );
        if (checked.missing instanceof BatchTruncated) await lowerBatchCap(checked.missing.answered);
        // Nothing answered is the expired-token drop: make sure the next try refreshes first.
        else if (checked.outcomes.every((o) => "missing" in o))
          await tokens.markStale(input.merchantId, version);
      }
      const expiry = res.headers.get("x-alipay-model-expiry");
      return {
        modelVersion: checked.modelVersion,
        modelExpiry: expiry && !Number.isNaN(Date.parse(expiry)) ? new Date(expiry) : undefined,
        billing: checked.billing,
        latencyMs: res.latencyMs,
        outcomes: checked.outcomes,
        missing: checked.missing,
      };
    },

    onboardMerchant: (merchantId: string, authCode: string) => tokens.onboard(merchantId, authCode),
    getMerchantToken: async (merchantId: string) => (await tokens.get(merchantId)).token,
    refreshMerchantToken: async (merchantId: string) => (await tokens.refresh(merchantId)).token,
    /** Every onboarded merchant (including those that must re-authorise), sorted. */
    listMerchants: (): Promise<string[]> => tokenStore.merchants(),
    /** Whether the merchant is usable or must re-authorise (why, since when); never a token. */
    merchantStatus: (merchantId: string): Promise<MerchantStatus> => tokenStore.status(merchantId),
    /** When the merchant's stored access token expires (client clock, epoch ms); undefined if none. */
    tokenExpiry: async (merchantId: string): Promise<number | undefined> =>
      (await tokenStore.read(merchantId))?.record.expiresAt,

    fetchKeys: (): Promise<KnownKey[]> => keys.fetchKeys(),
    currentKey: (now?: number): Promise<KnownKey> => keys.currentKey(now),
    knownKeys: (): Promise<KnownKey[]> => keys.list(),
    rotateKeys: async (): Promise<KnownKey> => {
      await keys.fetchKeys();
      return keys.currentKey();
    },

    /**
     * A canary: an encrypted predict call without a merchant token. The remote decrypts before it
     * checks the token, so a good key answers 401 invalid-app-auth-token (and bills nothing) while a
     * bad one answers invalid-signature.
     */
    async probeKeyHealth(): Promise<KeyHealth> {
      const key = await keys.currentKey();
      try {
        await call({
          operation: "key health probe",
          method: "POST",
          path: API_PATHS.predict,
          body: {},
          aesKey: key.aesKey,
        });
        return { healthy: true, keyId: key.keyId, detail: "unexpected 200 without a token" };
      } catch (err) {
        if (err instanceof AuthRevoked) return { healthy: true, keyId: key.keyId, detail: "key accepted" };
        if (err instanceof KeyRejected) return { healthy: false, keyId: key.keyId, detail: err.message };
        throw err;
      }
    },

    /** The batch cap learned from truncations (undefined until one was seen). */
    async learnedBatchCap(): Promise<number | undefined> {
      const value = await options.redis.get(batchCapKey);
      return value ? Number(value) : undefined;
    },
  };

  async function lowerBatchCap(answered: number): Promise<void> {
    // Only ever lowered, atomically, whichever worker saw the truncation.
    await options.redis.eval(
      "local c = tonumber(redis.call('GET', KEYS[1]) or '1000000') if tonumber(ARGV[1]) < c then redis.call('SET', KEYS[1], ARGV[1]) end",
      1,
      batchCapKey,
      answered,
    );
  }
}

export type AlipayClient = ReturnType<typeof createAlipayClient>;

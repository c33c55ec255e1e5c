import { createPrivateKey, createPublicKey } from "node:crypto";
import { API_PATHS, type Billing, billingSchema } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import type { Link } from "@riskq/tracing";
import type { Redis } from "ioredis";
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
import { inCallSpan } from "./wire/call-span";
import { type SignedCallRequest, type SignedCallResponse, signedCall } from "./wire/signed-call";

/**
 * One remote call as the client saw it, reported once per call (success or typed error) to
 * `onCall`, e.g. for metrics. Never a token, key, merchant or item: only what is safe in a label.
 */
export interface AlipayCall {
  /** What the call was for: "batch predict", "token exchange", "key query", "key health probe". */
  operation: string;
  /** HTTP status of the answer; undefined when none came (timeout, unreachable). */
  status: number | undefined;
  /**
   * "ok", the remote's error code (e.g. "app-call-limited"), or riskq's error code when the remote
   * gave none ("timeout", "upstream_error", "response_invalid"; "error" for anything untyped).
   */
  code: string;
  /** From before signing until the answer verified (or failed). */
  latencyMs: number;
  /** Items sent (batch predict). */
  items?: number | undefined;
  /** What a batch predict answered with 200 billed (when its billing is well-formed). */
  billing?: Billing;
}

/** A call as the client makes it: its deadline defaults to the client's, its span may link jobs. */
type TracedCallRequest = Omit<SignedCallRequest, "timeoutMs"> & {
  timeoutMs?: number;
  links?: readonly Link[] | undefined;
};

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
  logger: Pick<Logger, "info" | "warn" | "error">;
  clock?: Clock;
  /**
   * Told about every remote call, once, after it ended. Called on the hot path (hundreds of calls/s
   * in a busy worker): keep it cheap. What it throws is swallowed, so it can never fail a call.
   */
  onCall?: (call: AlipayCall) => void;
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

  const onCall = options.onCall;
  /** Reports a call to `onCall`; an observer that throws must not turn a good call into a failed one. */
  const report = (observed: AlipayCall): void => {
    try {
      onCall?.(observed);
    } catch (err) {
      logger.warn({ err, operation: observed.operation }, "the onCall observer threw; ignored");
    }
  };

  const endpointUrl = new URL(identity.endpoint);
  const call = async (
    req: TracedCallRequest,
    /** Items sent, for the observer (batch predict). */
    items?: number,
  ): Promise<SignedCallResponse> => {
    const started = performance.now();
    try {
      const res = await inCallSpan(endpointUrl, { ...req, items }, () =>
        signedCall(identity, { ...req, timeoutMs: req.timeoutMs ?? defaultTimeoutMs }),
      );
      if (onCall) {
        const billing = items === undefined ? undefined : billingIn(res.json);
        report({
          operation: req.operation,
          status: res.status,
          code: "ok",
          latencyMs: performance.now() - started,
          items,
          ...(billing ? { billing } : {}),
        });
      }
      return res;
    } catch (err) {
      if (onCall) {
        const typed = err instanceof AlipayError;
        report({
          operation: req.operation,
          status: typed ? err.httpStatus : undefined,
          code: typed ? (err.remoteCode ?? err.code) : "error",
          latencyMs: performance.now() - started,
          items,
        });
      }
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

  /** One encrypted call; on invalid-signature, refetch the keys and try once more (docs/alipay-ai-api.md §3). */
  async function encryptedCall(req: Omit<TracedCallRequest, "aesKey">, items?: number) {
    const key = await keys.currentKey();
    try {
      return { res: await call({ ...req, aesKey: key.aesKey }, items), key };
    } catch (err) {
      if (!(err instanceof KeyRejected)) throw err;
      logger.warn(
        { keyId: key.keyId, operation: req.operation },
        "invalid-signature: refetching AES keys and retrying once",
      );
      await keys.fetchKeys();
      const fresh = await keys.currentKey();
      try {
        return { res: await call({ ...req, aesKey: fresh.aesKey }, items), key: fresh };
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
        ({ res } = await encryptedCall(
          {
            operation: "batch predict",
            method: "POST",
            path: API_PATHS.batchPredict,
            body: request,
            appAuthToken: token,
            signal: input.signal,
            // The caller's deadline may shorten a call, never lengthen it past the client's own limit.
            timeoutMs: Math.min(input.timeoutMs ?? defaultTimeoutMs, defaultTimeoutMs),
            merchantId: input.merchantId,
            modelVersion: input.modelVersion,
            links: input.links,
          },
          request.items.length,
        ));
      } catch (err) {
        if (err instanceof AuthRevoked) await tokens.markRevoked(input.merchantId, err.message, version);
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
      const expiry = res.header("x-alipay-model-expiry");
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

    /**
     * Forgets the learned batch cap (the account may have aged past the young-account limit): the
     * next truncation, if any, teaches it again.
     */
    async forgetBatchCap(): Promise<void> {
      await options.redis.del(batchCapKey);
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

/** The billing of a 200 scoring answer, for the observer; the strict check comes after, in scoreBatch. */
function billingIn(json: unknown): Billing | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const parsed = billingSchema.safeParse((json as { billing?: unknown }).billing);
  return parsed.success ? parsed.data : undefined;
}

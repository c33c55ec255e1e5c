/**
 * Shared set-up for the conformance suite: a merchant-scoped client built the way a real client
 * would (official SDK, current AES key, merchant token) against the test file's sandbox (one real
 * process per file, from `useSandbox` of @riskq/testing). Assertions live in the test files, not here.
 */
import { createHash } from "node:crypto";
import { type AesKey, API_PATHS, type ScoreItem, type ScoreResponse } from "@riskq/contracts";
import {
  createSdk,
  onboardMerchant,
  pickKeyAt,
  type SandboxProcess,
  type SignedRequestOptions,
  type SignedResponse,
  signedRequest,
} from "@riskq/testing";
import { AlipayRequestError, type AlipaySdk } from "alipay-sdk";

/** The sandbox's virtual "now" (moves with `/__sandbox/clock`). */
export async function virtualNow(sandbox: SandboxProcess): Promise<Date> {
  return new Date((await sandbox.control.state()).clock.now);
}

/** Makes the app's account `days` old at the sandbox's virtual now (under 183 days: batch cap 50). */
export async function setAccountAge(sandbox: SandboxProcess, days: number): Promise<void> {
  const now = await virtualNow(sandbox);
  await sandbox.control.setAccountCreatedAt(new Date(now.getTime() - days * DAY_MS).toISOString());
}

interface ScoreBody {
  task?: string;
  model_version?: string;
  confidence_threshold?: number;
  items: unknown[];
  [extra: string]: unknown;
}

/** A merchant with a live token; scoring calls use the AES key valid at the sandbox's virtual now. */
export interface MerchantClient {
  merchantId: string;
  appAuthToken: string;
  appRefreshToken: string;
  /** The AES key valid when the client was made. */
  aesKey: string;
  /** Plain SDK (no encryption): tokens, keys, pricing. */
  sdk: AlipaySdk;
  /** SDK carrying `aesKey`, for scoring calls made without moving the clock. */
  encryptingSdk: AlipaySdk;
  predict(body: ScoreBody, token?: string): Promise<ScoreResponse>;
  batch(body: ScoreBody, token?: string): Promise<ScoreResponse>;
  /** Hand-signed encrypted scoring call, when headers or raw bytes matter. */
  raw(
    path: string,
    body: ScoreBody | string,
    overrides?: Partial<SignedRequestOptions>,
  ): Promise<SignedResponse>;
}

/** Onboards a merchant (fresh, or a given 16-digit id) and fetches the current AES key. */
export async function merchantClient(sandbox: SandboxProcess, merchantId?: string): Promise<MerchantClient> {
  const sdk = createSdk(sandbox);
  const merchant = await onboardMerchant(sandbox, sdk, merchantId);
  let keys = await listKeys(sdk);
  const first = pickKeyAt(keys, await virtualNow(sandbox));
  if (first === undefined) throw new Error(`no AES key valid now: ${JSON.stringify(keys)}`);

  // Tests move the virtual clock; a key list fetched earlier may no longer hold a key valid now.
  // Re-query only then, so calls that do not move the clock make no extra /v3 calls.
  const keyNow = async (): Promise<string> => {
    const now = await virtualNow(sandbox);
    let key = pickKeyAt(keys, now);
    if (key === undefined) {
      keys = await listKeys(sdk);
      key = pickKeyAt(keys, now);
    }
    if (key === undefined) throw new Error(`no AES key valid at ${now.toISOString()}`);
    return key.aes_key;
  };
  const score = async (path: string, body: ScoreBody, token: string | undefined) => {
    const res = await createSdk(sandbox, { encryptKey: await keyNow() }).curl<ScoreResponse>("POST", path, {
      body: withDefaults(body),
      needEncrypt: true,
      appAuthToken: token ?? merchant.appAuthToken,
    });
    return res.data;
  };
  return {
    merchantId: merchant.merchantId,
    appAuthToken: merchant.appAuthToken,
    appRefreshToken: merchant.appRefreshToken,
    aesKey: first.aes_key,
    sdk,
    encryptingSdk: createSdk(sandbox, { encryptKey: first.aes_key }),
    predict: (body, token) => score(API_PATHS.predict, body, token),
    batch: (body, token) => score(API_PATHS.batchPredict, body, token),
    raw: async (path, body, overrides = {}) =>
      signedRequest({
        baseUrl: sandbox.url,
        method: "POST",
        path,
        body: typeof body === "string" ? body : withDefaults(body),
        appId: sandbox.appId,
        appPrivateKey: sandbox.appPrivateKey,
        platformPublicKey: sandbox.platformPublicKey,
        appAuthToken: merchant.appAuthToken,
        aesKey: await keyNow(),
        ...overrides,
      }),
  };
}

async function listKeys(sdk: AlipaySdk): Promise<AesKey[]> {
  return (await sdk.curl<{ keys: AesKey[] }>("POST", API_PATHS.keyQuery, { body: {} })).data.keys;
}

/** Pins the task and model, as well-behaved clients do, unless the test says otherwise. */
function withDefaults(body: ScoreBody): ScoreBody {
  return { task: "card_risk", model_version: "risk-v3-2026-10", ...body };
}

/** A valid card_risk item (docs/alipay-ai-api.md §6.1), deterministic in `n`. */
export function makeItem(merchantId: string, n: number, overrides: Record<string, unknown> = {}): ScoreItem {
  return {
    item_id: `tx_${n.toString().padStart(4, "0")}`,
    merchant_id: merchantId,
    amount: "128.50",
    currency: "CNY",
    card_fingerprint: fingerprint(`card-${n}`),
    mcc: "5411",
    country: "CN",
    channel: "app",
    occurred_at: "2026-11-26T08:00:00Z",
    ...overrides,
  } as ScoreItem;
}

export function makeItems(merchantId: string, count: number, from = 0): ScoreItem[] {
  return Array.from({ length: count }, (_, i) => makeItem(merchantId, from + i));
}

/** A card fingerprint: 64 hex, never a card number. */
function fingerprint(seed: string): string {
  return createHash("sha256").update(seed).digest("hex");
}

/** What an API error looked like to the official SDK. */
export interface ObservedError {
  status: number | undefined;
  code: string | undefined;
  message: string;
  headers: Record<string, unknown>;
}

/** Awaits a call that must fail with an API error and returns what the SDK reported. */
export async function apiError(call: Promise<unknown>): Promise<ObservedError> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof AlipayRequestError) {
      return {
        status: error.responseHttpStatus,
        code: error.code,
        message: error.message,
        headers: (error.responseHttpHeaders ?? {}) as Record<string, unknown>,
      };
    }
    throw error;
  }
  throw new Error(`expected an API error, got success: ${JSON.stringify(result).slice(0, 300)}`);
}

/** Decimal string with 4 places → integer units of 0.0001 USD. */
export function units(fee: string): number {
  const [whole = "0", frac = ""] = fee.split(".");
  return Number(whole) * 10_000 + Number(frac.padEnd(4, "0"));
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

import {
  API_PATHS,
  MAX_BATCH_ITEMS,
  riskLevelOf,
  type ScoreItem,
  type ScoreResult,
  scoreRequestSchema,
} from "@riskq/contracts";
import { aesDecrypt } from "@riskq/wire";
import { ApiError, invalidParameter, invalidSignature } from "../api-error";
import { billingBody, billingUnits, totalUnits } from "../pricing";
import type { SandboxState } from "../sandbox-state";
import { parseJsonBody, zodMessage } from "./payload";
import { type AuthenticatedCall, header, type Route, type RouteAnswer } from "./route";

/** Young accounts get only this many results per call, silently (docs/alipay-ai-api.md §6.4). */
const YOUNG_ACCOUNT_BATCH_LIMIT = 50;
const FLATLINE_CONFIDENCE = 0.5;

/** Tries every currently accepted key; a wrong key yields bad padding or bytes that are not UTF-8. */
function decrypt(state: SandboxState, body: string, now: number): { plaintext: string; aesKey: string } {
  for (const key of state.keys.acceptedAt(now)) {
    try {
      const plaintext = aesDecrypt(body, key.aesKey);
      // Invalid UTF-8 decodes to U+FFFD: the padding happened to fit, the key did not.
      if (plaintext.includes("\uFFFD")) continue;
      return { plaintext, aesKey: key.aesKey };
    } catch {
      // not this key
    }
  }
  // The contract's pitfall: an expired key looks exactly like a bad signature.
  throw invalidSignature();
}

function scoreCall(call: AuthenticatedCall, expectedItems: "one" | "batch"): RouteAnswer {
  const { state } = call;
  const now = state.clock.now();

  if (header(call.headers, "alipay-encrypt-type")?.toUpperCase() !== "AES") {
    throw new ApiError(400, "missing-encrypt-type", "scoring calls must be AES-encrypted");
  }
  const { plaintext, aesKey } = decrypt(state, call.body, now);

  const token = state.tokens.check(header(call.headers, "alipay-app-auth-token"), now);
  if (!token.ok) throw new ApiError(401, "invalid-app-auth-token", "invalid app_auth_token");

  const raw = parseJsonBody(call, "text/plain", plaintext);
  if (
    Array.isArray((raw as { items?: unknown })?.items) &&
    (raw as { items: unknown[] }).items.length > MAX_BATCH_ITEMS
  ) {
    throw invalidParameter(`items exceeds ${MAX_BATCH_ITEMS}`);
  }
  const parsed = scoreRequestSchema.safeParse(raw);
  if (!parsed.success) throw invalidParameter(zodMessage(parsed.error));
  const request = parsed.data;
  if (expectedItems === "one" && request.items.length !== 1) {
    throw invalidParameter("items must hold exactly one item for predict");
  }

  const model = request.model_version ? state.models.find(request.model_version) : state.models.latest(now);
  if (!model)
    throw new ApiError(400, "invalid-model-version", `invalid model_version: ${request.model_version}`);

  if (request.items.some((item) => item.merchant_id !== token.merchantId)) {
    throw invalidParameter("items belong to another merchant");
  }

  const answer = (results: ScoreResult[], itemsBilled: number): RouteAnswer => {
    const flagged = results.filter((r) => r.flagged).length;
    const units = billingUnits(itemsBilled, flagged);
    state.ledger.recordBilling(itemsBilled, flagged, totalUnits(units));
    return {
      body: { model_version: model.version, results, billing: billingBody(units) },
      encryptWith: aesKey,
      // Only the sandbox sends this header; real clients must not rely on it (docs/alipay-ai-api.md §6.2).
      headers: { "x-alipay-model-expiry": new Date(model.retiresAt).toISOString() },
    };
  };

  // The silent drop (docs/alipay-ai-api.md §5.3): an expired token is answered 200 with nothing scored.
  if (token.expired) {
    state.ledger.silentDrops += 1;
    return answer([], 0);
  }

  let scored: ScoreItem[] = request.items;
  if (state.isYoungAccount(now) && scored.length > YOUNG_ACCOUNT_BATCH_LIMIT) {
    state.ledger.truncations += 1;
    scored = scored.slice(0, YOUNG_ACCOUNT_BATCH_LIMIT);
  }

  const threshold = request.confidence_threshold ?? 0.7;
  const retired = model.retiresAt <= now;
  const results = scored.map((item): ScoreResult => {
    // A retired snapshot keeps answering 200 with a flatline (docs/alipay-ai-api.md §6.3).
    const { confidence, info_code } = retired
      ? { confidence: FLATLINE_CONFIDENCE, info_code: [] }
      : state.model.score(item, request.task);
    return {
      item_id: item.item_id,
      confidence,
      risk_score: Math.round(confidence * 100),
      risk_level: riskLevelOf(confidence),
      flagged: confidence >= threshold,
      info_code,
    };
  });
  // Truncated items are still billed (docs/alipay-ai-api.md §6.4).
  return answer(results, request.items.length);
}

export const scoringRoutes: Record<string, Route> = {
  [API_PATHS.predict]: { method: "POST", handle: (call) => scoreCall(call, "one") },
  [API_PATHS.batchPredict]: {
    method: "POST",
    methodBucket: true,
    handle: (call) => scoreCall(call, "batch"),
  },
};

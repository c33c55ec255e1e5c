import type { IncomingMessage } from "node:http";
import { parseAuthorization, requestSigningContent, rsaVerify } from "@riskq/wire";
import { ApiError, invalidSignature } from "../api-error";
import { sampleFault } from "../faults";
import type { SandboxState } from "../sandbox-state";
import { header, type Route } from "./route";

const TIMESTAMP_WINDOW_MS = 5 * 60_000;

/**
 * The checks every /v3 call passes before its route runs, in the contract's order (section 8):
 * authorization header → app_id → timestamp → RSA signature → nonce → app bucket → method bucket
 * → injected fault. Timestamps, nonces and buckets use real time, never the virtual clock.
 */
export function authenticate(state: SandboxState, req: IncomingMessage, body: string, route: Route): void {
  const auth = parseAuthorization(header(req.headers, "authorization"));
  if (!auth) throw new ApiError(400, "missing-signature", "missing authorization");
  if (auth.appId !== state.options.appId) throw new ApiError(400, "invalid-app-id", "invalid app_id");

  const realNow = Date.now();
  if (Math.abs(realNow - Number(auth.timestamp)) > TIMESTAMP_WINDOW_MS) {
    throw new ApiError(400, "illegal-timestamp", "timestamp out of range");
  }

  const content = requestSigningContent({
    auth: `app_id=${auth.appId},nonce=${auth.nonce},timestamp=${auth.timestamp}`,
    method: req.method ?? "",
    pathWithQuery: req.url ?? "",
    body,
    appAuthToken: header(req.headers, "alipay-app-auth-token"),
  });
  if (!rsaVerify(content, auth.sign, state.appPublicKey)) throw invalidSignature();
  // A replay looks exactly like a bad signature from outside: the contract gives no hint.
  if (!state.nonces.admit(auth.nonce, realNow)) throw invalidSignature();

  // The app token is spent even when the method bucket then refuses the call.
  if (!state.appBucket.take(realNow))
    throw new ApiError(429, "app-call-limited", "app call frequency limited");
  if (route.methodBucket && !state.batchBucket.take(realNow)) {
    throw new ApiError(429, "method-call-limited", "method call frequency limited");
  }

  const fault = sampleFault(state.faults, () => state.faultRng.next());
  if (fault === 500) throw new ApiError(500, "unknow-error", "system busy, please retry");
  if (fault === 503) throw new ApiError(503, "service-unavailable", "service unavailable, please retry");
}

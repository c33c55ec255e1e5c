import type { ApiErrorBody } from "@riskq/contracts";
import type { AlipayError } from "./alipay-error";
import { AuthRevoked } from "./auth-revoked";
import { InvalidRequest } from "./invalid-request";
import { KeyRejected } from "./key-rejected";
import { ModelUnknown } from "./model-unknown";
import { RateLimited } from "./rate-limited";
import { UpstreamError } from "./upstream-error";

/** What the call was about, so the error can name it. */
export interface CallContext {
  operation: string;
  merchantId?: string | undefined;
  modelVersion?: string | undefined;
}

/** The one place that maps the remote's HTTP status and error code to a typed error. */
export function classifyRemoteError(
  status: number,
  body: ApiErrorBody | undefined,
  call: CallContext,
): AlipayError {
  const failure = { remoteCode: body?.code, httpStatus: status };
  const said = body ? `${body.code}: ${body.message}` : `HTTP ${status} without an error body`;
  switch (body?.code) {
    case "app-call-limited":
      return new RateLimited("app", failure);
    case "method-call-limited":
      return new RateLimited("method", failure);
    case "invalid-signature":
      return new KeyRejected(said, failure);
    case "invalid-app-auth-token":
    case "invalid-refresh-token":
      return new AuthRevoked(call.merchantId ?? "(unknown)", said, failure);
    case "invalid-model-version":
      return new ModelUnknown(call.modelVersion, failure);
    case "illegal-timestamp":
      return new InvalidRequest(
        `${call.operation}: ${said} — this host's clock is more than 5 minutes off`,
        undefined,
        failure,
      );
    case "invalid-parameter":
      return new InvalidRequest(`${call.operation}: ${said}`, fieldOf(body.message), failure);
  }
  if (status >= 500 || status === 429) return new UpstreamError(`${call.operation}: ${said}`, failure);
  return new InvalidRequest(`${call.operation}: ${said}`, undefined, failure);
}

/** The remote names the field as "invalid <path>: …". */
function fieldOf(message: string): string | undefined {
  return /^invalid ([\w.[\]]+):/.exec(message)?.[1];
}

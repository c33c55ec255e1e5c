/** The Alipay AI API client: tokens, rotating keys, typed errors and strict response checks. */
export { type AesKeysOptions, type KnownKey, pickKey } from "./aes-keys";
export {
  type AlipayCall,
  type AlipayClient,
  type AlipayClientOptions,
  createAlipayClient,
  type KeyHealth,
  type ScoreBatchResult,
} from "./alipay-client";
export { type Clock, systemClock } from "./clock";
export { AlipayError } from "./errors/alipay-error";
export { AuthCodeOfAnotherMerchant } from "./errors/auth-code-of-another-merchant";
export { AuthRevoked } from "./errors/auth-revoked";
export { BatchTruncated } from "./errors/batch-truncated";
export { InvalidRequest } from "./errors/invalid-request";
export { KeyRejected } from "./errors/key-rejected";
export { ModelUnknown } from "./errors/model-unknown";
export { RateLimited } from "./errors/rate-limited";
export { ResponseInvalid } from "./errors/response-invalid";
export { SilentDrop } from "./errors/silent-drop";
export { Timeout } from "./errors/timeout";
export { UpstreamError } from "./errors/upstream-error";
export { checkKeyHealth, type KeyHealthCheckDeps, type KeyHealthCheckReport } from "./key-health-check";
export type { MerchantStatus } from "./merchant-token-store";
export type { ScoreBatchInput } from "./score-request";
export type { ItemOutcome } from "./score-response";
export { SecretBox } from "./secret-box";

/**
 * The scoring pipeline's building blocks: queues, dead letters, result callbacks, batching, limiting,
 * breaking, retrying.
 */

export * from "./batching/batch-exchange";
export * from "./batching/item-withdrawn";
export * from "./batching/micro-batcher";
export * from "./batching/redis-batch-exchange";
export * from "./breaker/circuit-breaker";
export * from "./breaker/circuit-open-error";
export * from "./breaker/upstream-failure";
export { afterSuccess, afterThrottle, probeIntervalMs } from "./call-rate-limiter/adaptive-rate";
export {
  type AdaptiveRateParams,
  type AdaptiveState,
  DEFAULT_ADAPTIVE_PARAMS,
  initialAdaptiveState,
} from "./call-rate-limiter/adaptive-state";
export * from "./call-rate-limiter/call-rate-limiter";
export { returnWaitMs, whileWaiting } from "./call-rate-limiter/learned-rate";
export * from "./callbacks/address-rules";
export * from "./callbacks/callback-allow-list";
export * from "./callbacks/callback-payload";
export * from "./callbacks/callback-signature";
export * from "./callbacks/callback-url-check";
export * from "./callbacks/callback-worker";
export * from "./callbacks/deliver-callback";
export * from "./callbacks/guarded-lookup";
export * from "./callbacks/resolve-callback-url";
export * from "./dead-letters/dead-letter-counts";
export * from "./dead-letters/dead-letter-store";
export * from "./dead-letters/dead-reason";
export * from "./dead-letters/redrive";
export * from "./outcomes/coalesced-records";
export * from "./outcomes/outcome-encoding";
export * from "./outcomes/outcome-records";
export * from "./queues/callback-queue";
export * from "./queues/maintenance-queue";
export * from "./queues/prompt-start-worker";
export * from "./queues/score-queues";
export * from "./retry/backoff";
export * from "./retry/decide-retry";

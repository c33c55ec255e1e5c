export * from "./logger";
export * from "./mask-fingerprint";
export { CENSORED, redactSecrets } from "./redact";

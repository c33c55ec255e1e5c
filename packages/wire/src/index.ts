/**
 * The Alipay OpenAPI v3 wire primitives (contract sections 1–3): string-to-sign, RSA2 signatures
 * and AES content encryption. Shared by the sandbox (server side), the test helpers and the client.
 */
export * from "./aes";
export * from "./signature";

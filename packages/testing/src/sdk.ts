import { AlipaySdk } from "alipay-sdk";
import type { SandboxProcess } from "./sandbox-process";

/** What a client needs to reach a sandbox: its address, the app id and the two keys. */
export type SandboxEndpoint = Pick<SandboxProcess, "url" | "appId" | "appPrivateKey" | "platformPublicKey">;

export interface CreateSdkOptions {
  /** Base64 AES key, needed for `curl(..., { needEncrypt: true })`. */
  encryptKey?: string | undefined;
}

/**
 * The official alipay-sdk configured for a sandbox. `endpoint` (not `gateway`) is what `curl()`
 * uses for OpenAPI v3; the private key is PKCS#1, the SDK's default key type.
 */
export function createSdk(sandbox: SandboxEndpoint, options: CreateSdkOptions = {}): AlipaySdk {
  return new AlipaySdk({
    appId: sandbox.appId,
    privateKey: sandbox.appPrivateKey,
    alipayPublicKey: sandbox.platformPublicKey,
    endpoint: sandbox.url,
    ...(options.encryptKey === undefined ? {} : { encryptKey: options.encryptKey }),
  });
}

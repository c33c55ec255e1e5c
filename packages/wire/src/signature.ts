import { createSign, createVerify, type KeyObject, sign, verify } from "node:crypto";

export const AUTH_SCHEME = "ALIPAY-SHA256withRSA";

/** The parts of an `authorization` header (docs/alipay-ai-api.md §1). */
export interface AuthParams {
  appId: string;
  nonce: string;
  timestamp: string;
  sign: string;
}

/** The auth string: everything before ",sign=". */
export function authString(p: Omit<AuthParams, "sign">): string {
  return `app_id=${p.appId},nonce=${p.nonce},timestamp=${p.timestamp}`;
}

export function formatAuthorization(p: AuthParams): string {
  return `${AUTH_SCHEME} ${authString(p)},sign=${p.sign}`;
}

/** Parses an `authorization` header; undefined when it is missing or malformed. */
export function parseAuthorization(header: string | undefined): AuthParams | undefined {
  if (!header?.startsWith(`${AUTH_SCHEME} `)) return undefined;
  const m = /^app_id=([^,]+),nonce=([^,]+),timestamp=(\d+),sign=(.+)$/.exec(
    header.slice(AUTH_SCHEME.length + 1),
  );
  if (!m) return undefined;
  return { appId: m[1]!, nonce: m[2]!, timestamp: m[3]!, sign: m[4]! };
}

/** What the app signs for a request: each part followed by a newline (docs/alipay-ai-api.md §1). */
export function requestSigningContent(input: {
  auth: string;
  method: string;
  pathWithQuery: string;
  body: string;
  appAuthToken?: string | undefined;
}): string {
  let content = `${input.auth}\n${input.method.toUpperCase()}\n${input.pathWithQuery}\n${input.body}\n`;
  if (input.appAuthToken !== undefined) content += `${input.appAuthToken}\n`;
  return content;
}

/** What the platform signs for a response (docs/alipay-ai-api.md §2). */
export function responseSigningContent(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** RSA-SHA256 (RSA2), base64. */
export function rsaSign(content: string, privateKey: KeyObject | string): string {
  return createSign("RSA-SHA256").update(content, "utf8").sign(privateKey, "base64");
}

export function rsaVerify(content: string, signatureBase64: string, publicKey: KeyObject | string): boolean {
  try {
    return createVerify("RSA-SHA256").update(content, "utf8").verify(publicKey, signatureBase64, "base64");
  } catch {
    return false;
  }
}

/**
 * `rsaSign` on libuv's thread pool: a 2048-bit private-key operation takes a few hundred
 * microseconds of CPU, which a worker's event loop (busy with hundreds of jobs in flight) is better
 * off not spending itself. Same signature bytes as `rsaSign` (PKCS#1 v1.5 over SHA-256).
 */
export function rsaSignAsync(content: string, privateKey: KeyObject | string): Promise<string> {
  return new Promise((resolve, reject) => {
    sign("sha256", Buffer.from(content, "utf8"), privateKey, (err, signature) =>
      err ? reject(err) : resolve(signature.toString("base64")),
    );
  });
}

/** `rsaVerify` on libuv's thread pool (see `rsaSignAsync`); false for a malformed signature too. */
export function rsaVerifyAsync(
  content: string,
  signatureBase64: string,
  publicKey: KeyObject | string,
): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(
        "sha256",
        Buffer.from(content, "utf8"),
        publicKey,
        Buffer.from(signatureBase64, "base64"),
        (err, ok) => resolve(!err && ok),
      );
    } catch {
      resolve(false);
    }
  });
}

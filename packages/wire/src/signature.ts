import { createSign, createVerify, type KeyObject } from "node:crypto";

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

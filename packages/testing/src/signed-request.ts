import { randomUUID } from "node:crypto";
import {
  aesDecrypt,
  aesEncrypt,
  authString,
  formatAuthorization,
  requestSigningContent,
  responseSigningContent,
  rsaSign,
  rsaVerify,
} from "@riskq/wire";

/** A hand-signed request, for what the official SDK refuses to send (replays, forgeries, odd bodies). */
export interface SignedRequestOptions {
  baseUrl: string;
  method: string;
  /** Path with query string, exactly as signed. */
  path: string;
  /** A string is sent as is; an object is JSON-encoded. */
  body?: string | object | undefined;
  appId: string;
  appPrivateKey: string;
  /** When given, the response signature is checked (`signatureValid`). */
  platformPublicKey?: string | undefined;
  appAuthToken?: string | undefined;
  /** Base64 AES key: encrypts the body (and sets the AES headers), decrypts a 200 body. */
  aesKey?: string | undefined;
  nonce?: string | undefined;
  /** Epoch ms as a string or number; default now. */
  timestamp?: string | number | undefined;
  /** Overrides the content type the encryption mode would choose. */
  contentType?: string | undefined;
  /** Replaces the whole authorization header (e.g. a forged one); null sends none. */
  authorization?: string | null | undefined;
  /** Extra headers, sent last. */
  headers?: Record<string, string> | undefined;
}

export interface SignedResponse<T = unknown> {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed body (decrypted when `aesKey` was given and the status is 200); undefined when not JSON. */
  json: T;
  /** Whether the platform signature verifies; undefined when no platform key was given. */
  signatureValid?: boolean;
  nonce: string;
  timestamp: string;
}

/** Signs and sends one request exactly as contract sections 1 and 3 describe. */
export async function signedRequest<T = unknown>(options: SignedRequestOptions): Promise<SignedResponse<T>> {
  const nonce = options.nonce ?? randomUUID();
  const timestamp = String(options.timestamp ?? Date.now());
  const method = options.method.toUpperCase();
  const plaintext =
    options.body === undefined
      ? ""
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const body =
    options.aesKey === undefined || plaintext === "" ? plaintext : aesEncrypt(plaintext, options.aesKey);

  const headers: Record<string, string> = {};
  if (options.aesKey !== undefined) {
    headers["alipay-encrypt-type"] = "AES";
    headers["alipay-encryption-algm"] = "AES";
  }
  const contentType =
    options.contentType ?? (options.aesKey === undefined ? "application/json" : "text/plain");
  if (method !== "GET" && method !== "HEAD") headers["content-type"] = contentType;
  else if (options.contentType !== undefined) headers["content-type"] = options.contentType;
  if (options.appAuthToken !== undefined) headers["alipay-app-auth-token"] = options.appAuthToken;

  if (options.authorization === undefined) {
    const auth = authString({ appId: options.appId, nonce, timestamp });
    const content = requestSigningContent({
      auth,
      method,
      pathWithQuery: options.path,
      body,
      appAuthToken: options.appAuthToken,
    });
    headers.authorization = formatAuthorization({
      appId: options.appId,
      nonce,
      timestamp,
      sign: rsaSign(content, options.appPrivateKey),
    });
  } else if (options.authorization !== null) {
    headers.authorization = options.authorization;
  }
  Object.assign(headers, options.headers);

  const res = await fetch(new URL(options.path, options.baseUrl), {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? null : body,
  });
  const rawBody = await res.text();
  const responseHeaders: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    responseHeaders[name.toLowerCase()] = value;
  });

  let signatureValid: boolean | undefined;
  if (options.platformPublicKey !== undefined) {
    const ts = responseHeaders["alipay-timestamp"];
    const rn = responseHeaders["alipay-nonce"];
    const sig = responseHeaders["alipay-signature"];
    signatureValid =
      ts !== undefined &&
      rn !== undefined &&
      sig !== undefined &&
      rsaVerify(responseSigningContent(ts, rn, rawBody), sig, options.platformPublicKey);
  }

  const text =
    options.aesKey !== undefined && res.status === 200 ? aesDecrypt(rawBody, options.aesKey) : rawBody;
  const result: SignedResponse<T> = {
    status: res.status,
    headers: responseHeaders,
    rawBody,
    json: parseJson(text) as T,
    nonce,
    timestamp,
  };
  if (signatureValid !== undefined) result.signatureValid = signatureValid;
  return result;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import { type KeyObject, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { responseSigningContent, rsaSign } from "@riskq/wire";

/**
 * Sends a response signed with the platform key (docs/alipay-ai-api.md §2): every /v3 answer, success or error,
 * carries trace id, timestamp, nonce and the signature over `<timestamp>\n<nonce>\n<body>\n`.
 */
export function sendSigned(
  res: ServerResponse,
  platformKey: KeyObject,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const timestamp = String(Date.now());
  const nonce = randomUUID();
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    ...headers,
    "content-length": Buffer.byteLength(body),
    "alipay-trace-id": randomUUID().replaceAll("-", ""),
    "alipay-timestamp": timestamp,
    "alipay-nonce": nonce,
    "alipay-signature": rsaSign(responseSigningContent(timestamp, nonce, body), platformKey),
  });
  res.end(body);
}

export function errorBody(code: string, message: string): string {
  return JSON.stringify({
    code,
    message,
    links: [{ link: "https://opendocs.alipay.com/open-v3/054fcv", desc: "solution" }],
  });
}

/** Plain JSON for the unsigned control API. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

import type { IncomingHttpHeaders } from "node:http";
import type { SandboxState } from "../sandbox-state";

/** A signed /v3 request that passed authentication, buckets and fault injection. */
export interface AuthenticatedCall {
  state: SandboxState;
  method: string;
  pathWithQuery: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a route answers with on success: a JSON body, optionally AES-encrypted. */
export interface RouteAnswer {
  body: unknown;
  /** base64 AES key to encrypt the 200 body with (scoring calls, docs/alipay-ai-api.md §3). */
  encryptWith?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: "GET" | "POST";
  /** Counts against the per-method bucket (docs/alipay-ai-api.md §7: batch/predict alone). */
  methodBucket?: boolean;
  handle(call: AuthenticatedCall): RouteAnswer;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long a client may take. Without these, an authenticated client trickling 1 byte/s kept a
 * request (and its socket) open for minutes; enough of them exhaust the process.
 */
export interface ServerTimeouts {
  /** The whole request, headers and body, must have arrived by then (Node answers 408). */
  requestMs: number;
  /** The headers must have arrived by then. */
  headersMs: number;
  /** A socket with no traffic either way is closed past this (longer than any silent wait the server makes). */
  idleMs: number;
  /** An idle keep-alive connection between requests is closed past this. */
  keepAliveMs: number;
}

/**
 * The Fastify options that apply `timeouts`. Node checks request and header deadlines only every
 * `connectionsCheckingInterval` (30 s by default, which would double the request timeout): check
 * at least every second.
 */
export function timeoutOptions(timeouts: ServerTimeouts) {
  return {
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(timeouts.requestMs / 4))),
    },
  };
}

/** How the SDK retries 503, 429, network errors and timeouts. */
export interface RetryOptions {
  /** Tries in all, the first included (1 = never retry). Default 4. */
  attempts: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(capMs, baseMs·2ⁿ)]. Default 200. */
  baseMs: number;
  /** Longest single wait, including one asked for by `Retry-After`. Default 5 000. */
  capMs: number;
}

/** Options of {@link createRiskqClient}. */
export interface RiskqClientOptions {
  /** Where riskq's API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** One of the API's bearer keys (`RISKQ_API_KEYS`). */
  apiKey: string;
  /** Deadline of each HTTP request (each attempt); `scoreAndWait` adds its wait to it. Default 5 000. */
  timeoutMs?: number;
  retries?: Partial<RetryOptions>;
  /** The fetch to use; defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_RETRIES: RetryOptions = { attempts: 4, baseMs: 200, capMs: 5_000 };

/** The options with every default filled in, checked once at construction rather than per call. */
export interface ResolvedClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  retries: RetryOptions;
  fetch: typeof globalThis.fetch;
}

export function resolveClientOptions(options: RiskqClientOptions): ResolvedClientOptions {
  const baseUrl = new URL(options.baseUrl); // throws early on a malformed URL
  if (options.apiKey.length === 0) throw new TypeError("riskq client: apiKey is empty");
  const retries = { ...DEFAULT_RETRIES, ...options.retries };
  if (!Number.isInteger(retries.attempts) || retries.attempts < 1) {
    throw new TypeError("riskq client: retries.attempts must be an integer ≥ 1");
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new TypeError("riskq client: timeoutMs must be > 0");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return {
    // Paths are appended to it, so a trailing slash would double up.
    baseUrl: baseUrl.href.replace(/\/+$/, ""),
    apiKey: options.apiKey,
    timeoutMs,
    retries,
    // Bound to globalThis: some fetch implementations throw "Illegal invocation" when called detached.
    fetch: fetchImpl === globalThis.fetch ? fetchImpl.bind(globalThis) : fetchImpl,
  };
}

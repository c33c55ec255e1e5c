/** Types and client for the sandbox-only control API (contract section 10). */

export interface SandboxModelState {
  version: string;
  released_at: string;
  retires_at: string;
  retired: boolean;
}

export interface SandboxKeyState {
  key_id: string;
  not_before: string;
  expires_at: string;
}

export interface SandboxMerchantState {
  merchant_id: string;
  token_expires_at: string | null;
  revoked: boolean;
}

export interface SandboxLatency {
  profile?: "fast" | "realistic";
  median_ms?: number;
  p99_ms?: number;
}

export interface SandboxRateLimits {
  app_qps: number;
  app_burst: number;
  batch_qps: number;
  batch_burst: number;
}

export interface SandboxFaults {
  latency: SandboxLatency;
  error_rates: Record<string, number>;
  rate_limits: SandboxRateLimits;
}

/** Any subset of the fault state, as `POST /__sandbox/faults` accepts it. */
export interface SandboxFaultsPatch {
  latency?: SandboxLatency;
  error_rates?: Record<string, number>;
  rate_limits?: Partial<SandboxRateLimits>;
}

export interface SandboxState {
  clock: { now: string; offset_ms: number };
  models: SandboxModelState[];
  keys: SandboxKeyState[];
  merchants: SandboxMerchantState[];
  account_created_at: string;
  faults: SandboxFaults;
}

/**
 * The sandbox's clock and its next scheduled AES key rotation (the earliest listed key expiry after
 * now), both epoch ms on the sandbox's clock.
 */
export function nextKeyRotation(state: Pick<SandboxState, "clock" | "keys">): { now: number; at: number } {
  const now = Date.parse(state.clock.now);
  const at = Math.min(...state.keys.map((k) => Date.parse(k.expires_at)).filter((t) => t > now));
  return { now, at };
}

export interface SandboxLedger {
  calls: number;
  items: number;
  flagged: number;
  cost_usd: number;
  by_status: Record<string, number>;
  by_code: Record<string, number>;
  silent_drops: number;
  truncations: number;
  token_grants: number;
  token_refreshes: number;
  revocations: number;
}

/** A control call that did not answer 2xx. */
export class SandboxControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    path: string,
  ) {
    super(`sandbox control ${path} answered ${status}: ${body.slice(0, 500)}`);
    this.name = "SandboxControlError";
  }
}

/** Typed wrappers over `/__sandbox/*` (unsigned plain JSON). */
export class SandboxControl {
  constructor(private readonly baseUrl: string) {}

  /** Registers a merchant (id generated when absent) with a one-time auth code. */
  createMerchant(merchantId?: string): Promise<{ merchant_id: string; auth_code: string }> {
    return this.call(
      "POST",
      "/__sandbox/merchants",
      merchantId === undefined ? {} : { merchant_id: merchantId },
    );
  }

  /** A fresh one-time auth code, to re-authorise a revoked merchant. */
  async newAuthCode(merchantId: string): Promise<string> {
    const body = await this.call<{ auth_code: string }>(
      "POST",
      `/__sandbox/merchants/${encodeURIComponent(merchantId)}/codes`,
      {},
    );
    return body.auth_code;
  }

  state(): Promise<SandboxState> {
    return this.call("GET", "/__sandbox/state");
  }

  /** Sets any subset of latency, error rates and rate limits; returns the full fault state. */
  faults(patch: SandboxFaultsPatch): Promise<SandboxFaults> {
    return this.call("POST", "/__sandbox/faults", patch);
  }

  /** Moves the virtual clock forward (tokens, keys, models, account age follow it). */
  advanceClock(ms: number): Promise<{ now: string }> {
    return this.call("POST", "/__sandbox/clock", { advance_ms: ms });
  }

  /** Forces an AES key rotation now; the old key stays accepted during the grace. */
  rotateKeys(): Promise<unknown> {
    return this.call("POST", "/__sandbox/keys/rotate", {});
  }

  /** Retires a model now: it keeps answering 200 but flatlines. */
  retireModel(version: string): Promise<unknown> {
    return this.call("POST", `/__sandbox/models/${encodeURIComponent(version)}/retire`, {});
  }

  /** Sets the account creation time (younger than 183 days → batch limit 50). */
  setAccountCreatedAt(iso: string): Promise<unknown> {
    return this.call("POST", "/__sandbox/account", { created_at: iso });
  }

  ledger(): Promise<SandboxLedger> {
    return this.call("GET", "/__sandbox/ledger");
  }

  /** Back to the start state (same seed → same answers afterwards). */
  reset(): Promise<unknown> {
    return this.call("POST", "/__sandbox/reset", {});
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new SandboxControlError(res.status, text, path);
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }
}

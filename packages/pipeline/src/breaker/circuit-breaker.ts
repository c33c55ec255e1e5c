import { type Clock, systemClock } from "@riskq/alipay";
import { CircuitOpenError } from "./circuit-open-error";
import { isUpstreamFailure } from "./upstream-failure";

export type CircuitState = "closed" | "open" | "half-open";

/** Emitted on every state change (for alerts and metrics). */
export interface CircuitStateChange {
  from: CircuitState;
  to: CircuitState;
  /** Epoch ms of the change, from the breaker's clock. */
  at: number;
  /** When a call may be tried again, for a change to `open`. */
  openUntil: number | undefined;
  /** The failure that opened (or re-opened) the circuit. */
  cause?: unknown;
}

export interface CircuitBreakerOptions {
  /** Consecutive upstream failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** How long the circuit first stays open before a half-open trial (default 10 s). */
  openMs?: number;
  /** Each failed trial doubles the open time, up to this (default 5 min). */
  maxOpenMs?: number;
  /** How long a call refused while the half-open trial is in flight should wait (default 1 s). */
  trialWaitMs?: number;
  /** Which errors count against the remote's health (default: `UpstreamError`, `Timeout`). */
  isFailure?: (error: unknown) => boolean;
  clock?: Clock;
}

export interface CircuitBreaker {
  /** The state now; `open` turns into `half-open` once its time is up (no timers involved). */
  readonly state: CircuitState;
  /**
   * Whether a call made now would be refused: the circuit is open, or half-open with its single
   * trial already in flight. The worker then delays the job (without spending an attempt).
   */
  isOpen(): boolean;
  /** Epoch ms from which a call may be tried again; `undefined` when one may be tried now. */
  openUntil(): number | undefined;
  /**
   * Runs `fn` unless the circuit refuses it (then rejects with `CircuitOpenError` without calling
   * it), records the outcome, and passes `fn`'s result or error through unchanged.
   */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  /** Subscribes to state changes; returns the unsubscribe function. Listeners must not throw. */
  onStateChange(listener: (change: CircuitStateChange) => void): () => void;
}

/**
 * A consecutive-failure circuit breaker for calls to Alipay. While open, jobs wait (delayed) instead
 * of burning their attempts against a remote that is down; after `openMs` one trial call is let
 * through (half-open): success closes the circuit, an upstream failure re-opens it for longer.
 *
 * The state is per process: each worker process learns the outage from its own calls (at most
 * `failureThreshold` failed calls each), which keeps the breaker free of Redis round trips.
 * Hand-written rather than cockatiel 3's, because that one reads `Date.now()` directly (no
 * injectable clock) and does not expose when the circuit will let calls through again, which the
 * worker needs to delay jobs.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = Math.max(1, options.failureThreshold ?? 5);
  const openMs = options.openMs ?? 10_000;
  const maxOpenMs = Math.max(openMs, options.maxOpenMs ?? 300_000);
  const trialWaitMs = options.trialWaitMs ?? 1_000;
  const isFailure = options.isFailure ?? isUpstreamFailure;
  const clock = options.clock ?? systemClock;
  const listeners = new Set<(change: CircuitStateChange) => void>();

  let state: CircuitState = "closed";
  let consecutiveFailures = 0;
  let failedOpenings = 0;
  let reopensAt = 0;
  let trialInFlight = false;
  // Bumped on every change, so that a call started before a change cannot count after it (a slow
  // call that fails after the circuit already re-closed must not count against the new state).
  let epoch = 0;
  // One failed remote call can reject many callers at once (a single-flight AES key fetch or token
  // refresh shared by every batch waiting on it): it is one failure, so the same error counts once.
  const counted = new WeakSet<object>();

  /** Whether this error is an upstream failure not counted yet (and marks it counted). */
  function newFailure(error: unknown): boolean {
    if (!isFailure(error)) return false;
    if (typeof error !== "object" || error === null) return true;
    if (counted.has(error)) return false;
    counted.add(error);
    return true;
  }

  function moveTo(to: CircuitState, cause?: unknown): void {
    const from = state;
    state = to;
    epoch += 1;
    const change: CircuitStateChange = { from, to, at: clock.now(), openUntil: undefined };
    if (to === "open") {
      failedOpenings += 1;
      const duration = Math.min(maxOpenMs, openMs * 2 ** (failedOpenings - 1));
      reopensAt = change.at + duration;
      change.openUntil = reopensAt;
      change.cause = cause;
    } else if (to === "closed") {
      failedOpenings = 0;
      consecutiveFailures = 0;
    }
    for (const listener of listeners) listener(change);
  }

  /** An open circuit whose time is up is half-open: noticed at the first look, not by a timer. */
  function current(): CircuitState {
    if (state === "open" && clock.now() >= reopensAt) moveTo("half-open");
    return state;
  }

  function refusedUntil(): number | undefined {
    const now = current();
    if (now === "open") return reopensAt;
    if (now === "half-open" && trialInFlight) return clock.now() + trialWaitMs;
    return undefined;
  }

  async function execute<T>(fn: () => Promise<T>): Promise<T> {
    const retryAt = refusedUntil();
    if (retryAt !== undefined) throw new CircuitOpenError(retryAt, clock.now());
    const trial = state === "half-open";
    const startedIn = epoch;
    if (trial) trialInFlight = true;
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      if (trial) {
        trialInFlight = false;
        // A 4xx or 429 during the trial says nothing about health: the next call is the trial.
        if (isFailure(error)) moveTo("open", error);
      } else if (startedIn === epoch && newFailure(error)) {
        consecutiveFailures += 1;
        if (consecutiveFailures >= failureThreshold) moveTo("open", error);
      }
      throw error;
    }
    if (trial) {
      trialInFlight = false;
      moveTo("closed");
    } else if (startedIn === epoch) {
      consecutiveFailures = 0;
    }
    return result;
  }

  return {
    get state() {
      return current();
    },
    isOpen: () => refusedUntil() !== undefined,
    openUntil: refusedUntil,
    execute,
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

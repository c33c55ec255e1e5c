import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { API_PATHS, type TokenResponse, tokenResponseSchema } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import type { Clock } from "./clock";
import { AuthCodeOfAnotherMerchant } from "./errors/auth-code-of-another-merchant";
import { AuthRevoked } from "./errors/auth-revoked";
import { ResponseInvalid } from "./errors/response-invalid";
import { Timeout } from "./errors/timeout";
import type { MerchantTokenRecord, MerchantTokenStore, StoredToken } from "./merchant-token-store";
import type { SignedCallRequest, SignedCallResponse } from "./wire/signed-call";

export interface MerchantTokensOptions {
  store: MerchantTokenStore;
  clock: Clock;
  logger: Pick<Logger, "info" | "warn" | "error">;
  call: (req: Omit<SignedCallRequest, "timeoutMs"> & { timeoutMs?: number }) => Promise<SignedCallResponse>;
  /** A token is handed out only when it stays valid at least this long (default 60 s). */
  minValidityMs?: number;
}

// The refresh call's deadline is well inside the lock's lifetime, so the lock cannot lapse while a
// refresh is in flight (which would let a second process spend the same single-use refresh token).
const REFRESH_DEADLINE_MS = 10_000;
const LOCK_TTL_MS = 30_000;
const WAIT_POLL_MS = 25;
const WAIT_LIMIT_MS = LOCK_TTL_MS + 5_000;

/**
 * Merchant authorisation (docs/alipay-ai-api.md §5): onboarding with a one-time code, and access tokens that are
 * refreshed before they expire with exactly one refresh in flight per merchant across all processes.
 * Refresh tokens are single-use and their reuse revokes the merchant, so the lock is not optional.
 */
export class MerchantTokens {
  private readonly minValidityMs: number;

  constructor(private readonly options: MerchantTokensOptions) {
    this.minValidityMs = options.minValidityMs ?? 60_000;
  }

  /** Exchanges a merchant's one-time auth code for tokens and stores them; clears a re-authorisation mark. */
  async onboard(merchantId: string, authCode: string): Promise<{ expiresAt: number }> {
    const grant = await this.exchange({ grant_type: "authorization_code", code: authCode }, merchantId);
    if (grant.user_id !== merchantId) throw new AuthCodeOfAnotherMerchant(merchantId);
    const record = this.recordOf(grant);
    await this.options.store.replace(merchantId, record);
    this.options.logger.info({ merchantId }, "merchant onboarded");
    return { expiresAt: record.expiresAt };
  }

  /** An access token valid for at least the minimum validity, refreshing (single-flight) when needed. */
  async get(merchantId: string): Promise<{ token: string; version: number }> {
    const stored = await this.readUsable(merchantId);
    if (this.fresh(stored)) return { token: stored.record.accessToken, version: stored.version };
    return this.refreshFrom(merchantId, stored.version);
  }

  /** Forces a refresh now (the scheduler's token-refresh job, or after a silent drop). */
  async refresh(merchantId: string): Promise<{ token: string; version: number }> {
    const stored = await this.readUsable(merchantId);
    return this.refreshFrom(merchantId, stored.version);
  }

  /** The remote silently dropped a call made with this token version: never hand it out again. */
  async markStale(merchantId: string, version: number): Promise<void> {
    await this.options.store.markStale(merchantId, version);
  }

  /**
   * A 401 on a call made with token `version`: the merchant must re-authorise; its jobs fail as
   * auth_revoked. Not when a newer token was stored since (a re-onboarding while the call was out).
   */
  async markRevoked(merchantId: string, reason: string, version: number): Promise<void> {
    if (await this.options.store.markReauthRequired(merchantId, reason, this.options.clock.now(), version)) {
      this.options.logger.error({ merchantId, reason }, "merchant needs re-authorisation");
    } else {
      this.options.logger.warn(
        { merchantId },
        "a refused token was already replaced; the merchant stays active",
      );
    }
  }

  private async readUsable(merchantId: string): Promise<StoredToken> {
    const status = await this.options.store.status(merchantId);
    if (status.state === "reauth_required") throw new AuthRevoked(merchantId, status.reason);
    const stored = await this.options.store.read(merchantId);
    if (!stored) throw new AuthRevoked(merchantId, "not onboarded");
    return stored;
  }

  private fresh(stored: StoredToken): boolean {
    return !stored.stale && stored.record.expiresAt - this.options.clock.now() >= this.minValidityMs;
  }

  /**
   * Refreshes the token that has version `seenVersion`, or waits for whoever is already doing it.
   * The lock says who calls Alipay; the version check (fence) says whose answer gets stored.
   */
  private async refreshFrom(
    merchantId: string,
    seenVersion: number,
  ): Promise<{ token: string; version: number }> {
    const { store } = this.options;
    const waitUntil = Date.now() + WAIT_LIMIT_MS;
    while (Date.now() < waitUntil) {
      const holder = randomUUID();
      if (await store.acquireRefreshLock(merchantId, holder, LOCK_TTL_MS)) {
        try {
          return await this.refreshUnderLock(merchantId, seenVersion);
        } finally {
          await store.releaseRefreshLock(merchantId, holder);
        }
      }
      // Someone else is refreshing: wait for a newer version (or for the lock to go) and read it.
      while (Date.now() < waitUntil && (await store.refreshLockHeld(merchantId))) await sleep(WAIT_POLL_MS);
      const after = await this.readUsable(merchantId);
      if (after.version !== seenVersion && !after.stale)
        return { token: after.record.accessToken, version: after.version };
    }
    throw new Timeout(`token refresh for merchant ${merchantId}`, WAIT_LIMIT_MS);
  }

  private async refreshUnderLock(
    merchantId: string,
    seenVersion: number,
  ): Promise<{ token: string; version: number }> {
    // Re-read under the lock: a refresh may have finished between our read and the lock.
    const current = await this.readUsable(merchantId);
    if (current.version !== seenVersion && this.fresh(current)) {
      return { token: current.record.accessToken, version: current.version };
    }
    let grant: TokenResponse;
    try {
      grant = await this.exchange(
        { grant_type: "refresh_token", refresh_token: current.record.refreshToken },
        merchantId,
        REFRESH_DEADLINE_MS,
      );
    } catch (err) {
      if (err instanceof AuthRevoked)
        await this.markRevoked(merchantId, "refresh token rejected", current.version);
      throw err;
    }
    const record = this.recordOf(grant);
    const version = await this.options.store.writeIfVersion(merchantId, current.version, record);
    if (version === undefined) {
      // Cannot happen while the lock holds (only lock holders and onboarding write); if onboarding
      // raced us, its fresh tokens win and ours are simply dropped.
      this.options.logger.warn({ merchantId }, "token changed during refresh; keeping the newer one");
      return this.get(merchantId);
    }
    this.options.logger.info({ merchantId, version }, "merchant token refreshed");
    return { token: record.accessToken, version };
  }

  private async exchange(body: object, merchantId: string, timeoutMs?: number): Promise<TokenResponse> {
    const res = await this.options.call({
      operation: "token exchange",
      method: "POST",
      path: API_PATHS.authToken,
      body,
      merchantId,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    const parsed = tokenResponseSchema.safeParse(res.json);
    if (!parsed.success)
      throw new ResponseInvalid(`token exchange: ${parsed.error.issues[0]?.message ?? "bad shape"}`);
    return parsed.data;
  }

  private recordOf(grant: TokenResponse): MerchantTokenRecord {
    const now = this.options.clock.now();
    return {
      accessToken: grant.app_auth_token,
      refreshToken: grant.app_refresh_token,
      expiresAt: now + grant.expires_in * 1000,
      refreshExpiresAt: now + grant.re_expires_in * 1000,
    };
  }
}

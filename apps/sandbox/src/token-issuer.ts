import { ApiError } from "./api-error";

/** One access token issued to a merchant. Instants in virtual epoch ms. */
interface AccessToken {
  merchantId: string;
  expiresAt: number;
  revoked: boolean;
}

interface RefreshToken {
  merchantId: string;
  expiresAt: number;
  /** Rotated away: presenting it again is reuse, which revokes the merchant (OAuth 2.0 BCP). */
  used: boolean;
  revoked: boolean;
}

interface Merchant {
  merchantId: string;
  revoked: boolean;
  lastTokenExpiresAt: number | undefined;
}

export interface TokenGrant {
  app_auth_token: string;
  app_refresh_token: string;
  expires_in: number;
  re_expires_in: number;
  user_id: string;
  auth_app_id: string;
}

/** The outcome of looking up the token of a scoring call (docs/alipay-ai-api.md §5.2, 5.3). */
export type TokenCheck = { ok: true; merchantId: string; expired: boolean } | { ok: false };

const REFRESH_TTL_S = 2_592_000;

/**
 * Merchants, one-time auth codes, 15-minute access tokens and single-use rotating refresh tokens
 * (docs/alipay-ai-api.md §5). `randomId` is seeded, so the same calls after a reset hand out the same tokens.
 */
export class TokenIssuer {
  private readonly merchants = new Map<string, Merchant>();
  private readonly codes = new Map<string, string>();
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();

  constructor(
    private readonly options: {
      appId: string;
      tokenTtlS: number;
      randomId: (prefix: string) => string;
      randomMerchantId: () => string;
    },
  ) {}

  register(merchantId: string | undefined): { merchant_id: string; auth_code: string } {
    const id = merchantId ?? this.options.randomMerchantId();
    if (!/^\d{16}$/.test(id)) throw new ApiError(400, "invalid-parameter", "merchant_id must be 16 digits");
    if (!this.merchants.has(id))
      this.merchants.set(id, { merchantId: id, revoked: false, lastTokenExpiresAt: undefined });
    return { merchant_id: id, auth_code: this.newCode(id) };
  }

  newCode(merchantId: string): string {
    if (!this.merchants.has(merchantId)) throw new ApiError(404, "invalid-parameter", "unknown merchant_id");
    const code = this.options.randomId("code_");
    this.codes.set(code, merchantId);
    return code;
  }

  /** authorization_code grant: a code works once; a fresh code re-authorises a revoked merchant. */
  exchangeCode(code: string, now: number): TokenGrant {
    const merchantId = this.codes.get(code);
    if (!merchantId) throw new ApiError(400, "invalid-code", "invalid auth code");
    this.codes.delete(code);
    const merchant = this.merchants.get(merchantId)!;
    merchant.revoked = false;
    return this.issue(merchant, now);
  }

  /** refresh_token grant: rotates; reuse of a rotated token revokes every token of the merchant. */
  exchangeRefresh(
    refreshToken: string,
    now: number,
  ): { grant: TokenGrant } | { revokedMerchant: string | undefined } {
    const record = this.refresh.get(refreshToken);
    if (!record || record.revoked || record.expiresAt <= now) return { revokedMerchant: undefined };
    if (record.used) {
      this.revoke(record.merchantId);
      return { revokedMerchant: record.merchantId };
    }
    record.used = true;
    return { grant: this.issue(this.merchants.get(record.merchantId)!, now) };
  }

  check(token: string | undefined, now: number): TokenCheck {
    const record = token ? this.access.get(token) : undefined;
    // Revocation is checked before expiry, so a revoked token is reported even when also expired.
    if (!record || record.revoked) return { ok: false };
    return { ok: true, merchantId: record.merchantId, expired: record.expiresAt <= now };
  }

  list() {
    return [...this.merchants.values()].map((m) => ({
      merchant_id: m.merchantId,
      token_expires_at:
        m.lastTokenExpiresAt === undefined ? null : new Date(m.lastTokenExpiresAt).toISOString(),
      revoked: m.revoked,
    }));
  }

  reset(): void {
    this.merchants.clear();
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
  }

  private revoke(merchantId: string): void {
    this.merchants.get(merchantId)!.revoked = true;
    for (const t of this.access.values()) if (t.merchantId === merchantId) t.revoked = true;
    for (const t of this.refresh.values()) if (t.merchantId === merchantId) t.revoked = true;
  }

  private issue(merchant: Merchant, now: number): TokenGrant {
    const accessToken = this.options.randomId("202611aat_");
    const refreshToken = this.options.randomId("202611art_");
    const expiresAt = now + this.options.tokenTtlS * 1000;
    this.access.set(accessToken, { merchantId: merchant.merchantId, expiresAt, revoked: false });
    this.refresh.set(refreshToken, {
      merchantId: merchant.merchantId,
      expiresAt: now + REFRESH_TTL_S * 1000,
      used: false,
      revoked: false,
    });
    merchant.lastTokenExpiresAt = expiresAt;
    return {
      app_auth_token: accessToken,
      app_refresh_token: refreshToken,
      expires_in: this.options.tokenTtlS,
      re_expires_in: REFRESH_TTL_S,
      user_id: merchant.merchantId,
      auth_app_id: this.options.appId,
    };
  }
}

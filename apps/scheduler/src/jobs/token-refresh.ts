import { type AlertPublisher, merchantReauthAlert } from "@riskq/alerts";
import { type AlipayClient, AuthRevoked } from "@riskq/alipay";
import type { Logger } from "@riskq/observability";

/** Refresh a token when it expires within this long (5 min before the 15-min expiry: docs/architecture.md, "Token refresh"). */
const REFRESH_WITHIN_MS = 5 * 60_000;
/**
 * A token refreshed at one tick has exactly 5 min left at the next, give or take how late each run
 * started. Without slack a run that starts a few ms earlier than the last one would skip the token,
 * and the next tick would come after it expired; one minute of slack absorbs that drift.
 */
const TICK_SLACK_MS = 60_000;
/** Refreshes in flight at once: a tick over thousands of merchants must finish well within 10 min. */
const PARALLEL_REFRESHES = 5;

export interface TokenRefreshDeps {
  alipay: Pick<AlipayClient, "listMerchants" | "tokenExpiry" | "refreshMerchantToken">;
  /** The clock the client judges token lifetimes by. */
  now: () => number;
  logger: Pick<Logger, "warn" | "error">;
  refreshWithinMs?: number;
  /** Where a merchant that must re-authorise is alerted (besides the log line); none: only logged. */
  publishAlert?: AlertPublisher;
}

export interface TokenRefreshReport {
  merchants: number;
  refreshed: string[];
  /** Merchants that must re-authorise (alerted, skipped; their jobs dead-letter as auth_revoked). */
  reauthRequired: string[];
  /** Refreshes that failed for another reason (the next tick, or the worker on demand, retries). */
  failed: string[];
}

/**
 * The token-refresh job: refreshes every onboarded merchant whose token expires soon, through the
 * client's single-flight refresh (a worker refreshing the same merchant at the same moment waits for
 * this refresh instead of spending the single-use refresh token a second time).
 */
export async function refreshTokensJob(deps: TokenRefreshDeps): Promise<TokenRefreshReport> {
  const within = (deps.refreshWithinMs ?? REFRESH_WITHIN_MS) + TICK_SLACK_MS;
  const merchants = await deps.alipay.listMerchants();
  const report: TokenRefreshReport = {
    merchants: merchants.length,
    refreshed: [],
    reauthRequired: [],
    failed: [],
  };
  const queue = [...merchants];
  const refreshOne = async (merchantId: string) => {
    const expiresAt = await deps.alipay.tokenExpiry(merchantId);
    if (expiresAt !== undefined && expiresAt - deps.now() > within) return;
    try {
      await deps.alipay.refreshMerchantToken(merchantId);
      report.refreshed.push(merchantId);
    } catch (err) {
      if (err instanceof AuthRevoked) {
        report.reauthRequired.push(merchantId);
        // The merchant id is not a secret. Alerted at every run while it lasts: the alerter groups the
        // runs into one notice per merchant, repeated while the merchant stays revoked.
        deps.logger.error({ alert: "merchant_reauth_required", merchantId }, "merchant must re-authorise");
        await deps
          .publishAlert?.(merchantReauthAlert(merchantId))
          .catch((alertErr: unknown) =>
            deps.logger.warn({ err: alertErr, merchantId }, "could not publish the alert"),
          );
        return;
      }
      report.failed.push(merchantId);
      deps.logger.warn({ merchantId, err }, "token refresh failed; the next tick retries");
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_REFRESHES, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await refreshOne(next);
    }),
  );
  return report;
}

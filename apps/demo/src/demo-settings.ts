/**
 * The demo's fixed choices, in one place: how the apps are tuned so a minute shows what normally
 * takes hours (drift windows of seconds, a key check every 2 s), and the incidents' parameters.
 */

/** The model the workers pin, and the one they fall back to once it is marked degraded. */
export const PINNED_MODEL = "risk-v3-2026-11";
export const FALLBACK_MODEL = "risk-v3-2026-10";

/** Drift windows of 5 s checked every 2 s (production: 5 min each), so a retirement shows in seconds. */
export const DRIFT_WINDOW_MS = 5_000;
export const DRIFT_CHECK_EVERY_MS = 2_000;

/**
 * The scheduler's key check (production: hourly, plus the keys' own instants): every 2 s, so an
 * unannounced rotation is noticed at once.
 */
export const KEY_CHECK_CRON = "*/2 * * * * *";

/** Merchant access tokens live 15 min (the sandbox's default); the clock jumps past that. */
const TOKEN_LIFETIME_MS = 15 * 60_000;
export const CLOCK_JUMP_MS = TOKEN_LIFETIME_MS + 30_000;

/**
 * Alipay accepts an expired AES key for 5 more minutes. The sandbox's clock jumps 15.5 min ahead of
 * riskq's (which do not jump): its grace is widened by the jump so a rotation looks to riskq the way
 * it would without the jump.
 */
export const KEY_GRACE_S = 300 + CLOCK_JUMP_MS / 1_000;

/** Merchants onboarded; traffic is spread over them by their synthetic volumes. */
export const MERCHANTS = 4;
export const SEED = 7;

/**
 * The task every demo request asks for. Requests carry no deadline_ms: like a payment, each has the
 * default 2 s, and the summary shows how many were decided within it.
 */
export const TASK = "transaction_anomaly";

/**
 * The young-account burst: one merchant's settlement file, enough for full 100-item batches even
 * after the pre-filter decided its clear cases locally.
 */
export const BURST_ITEMS = 400;
/** What the sandbox answers per call for accounts younger than 183 days. */
export const YOUNG_ACCOUNT_LIMIT = 50;

/** Grace the workers and the scheduler get to finish in-flight calls when the demo stops them. */
export const STOP_GRACE_MS = 5_000;

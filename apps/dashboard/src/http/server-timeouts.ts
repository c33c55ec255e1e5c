import type { ServerTimeouts } from "@riskq/config";

/** The dashboard's limits: a board page or API call is small; nothing needs longer. */
export const DASHBOARD_TIMEOUTS: ServerTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  idleMs: 30_000,
  keepAliveMs: 5_000,
};

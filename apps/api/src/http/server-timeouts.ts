import type { ServerTimeouts } from "@riskq/config";

/** The API's limits: above the longest `?wait_ms` (10 s, silent while it waits), well below "minutes". */
export const API_TIMEOUTS: ServerTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  idleMs: 30_000,
  keepAliveMs: 5_000,
};

import {
  alipayEnv,
  apiKeysEnv,
  appRoot,
  field,
  idempotencyEnv,
  integer,
  port,
  riskqCommonEnv,
} from "@riskq/config";
import { ALLOW_LIST_EXPECTED, EMPTY_ALLOW_LIST, parseCallbackAllowListText } from "@riskq/pipeline";
import { z } from "zod";
import { DEFAULT_FAIR_SHARE_PER_S } from "./scores/fair-share";
import { DEFAULT_MAX_WAITING_JOBS } from "./scores/waiter-cap";

/** The repository root (or the image's app folder), whatever folder the API is started from. */
export const REPO_ROOT = appRoot(import.meta.url);

/** The API's start-up variables (docs/architecture.md, "Fixed names and settings"), common and Alipay ones included. */
export function apiEnv(repoRoot: string) {
  return (
    riskqCommonEnv
      .extend({
        API_HOST: z.string().min(1).default("127.0.0.1"),
        API_PORT: port(3000),
        // Past this many unfinished jobs, producers are told to back off (429) instead of piling on.
        RISKQ_MAX_BACKLOG: integer({ min: 1, default: 100_000 }),
        // Jobs `?wait_ms` requests may wait on at once in this process; past it they get 429.
        RISKQ_MAX_WAITING_JOBS: integer({ min: 1, default: DEFAULT_MAX_WAITING_JOBS }),
        // A merchant's items per second enqueued without priority; the rest go after others' (0: off).
        RISKQ_FAIR_SHARE_PER_S: integer({ min: 0, default: DEFAULT_FAIR_SHARE_PER_S }),
        // Callback destinations opened on purpose (exact hostnames, CIDRs); the worker's must match.
        RISKQ_CALLBACK_ALLOWED_HOSTS: field(ALLOW_LIST_EXPECTED, parseCallbackAllowListText).default(
          () => EMPTY_ALLOW_LIST,
        ),
      })
      // How long a finished job's outcome answers duplicates (docs/pipeline.md, "Idempotency"); the worker's
      // must match.
      .merge(idempotencyEnv)
      .merge(alipayEnv(repoRoot))
      .merge(apiKeysEnv)
  );
}

import { fileURLToPath } from "node:url";
import { alipayEnv, apiKeysEnv, integer, port, riskqCommonEnv } from "@riskq/config";
import { z } from "zod";

/** The repository root, whatever folder the API is started from. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The API's start-up variables (DESIGN: fixed contracts), common and Alipay ones included. */
export function apiEnv(repoRoot: string) {
  return riskqCommonEnv
    .extend({
      API_HOST: z.string().min(1).default("127.0.0.1"),
      API_PORT: port(3000),
      // Past this many unfinished jobs, producers are told to back off (429) instead of piling on.
      RISKQ_MAX_BACKLOG: integer({ min: 1, default: 100_000 }),
    })
    .merge(alipayEnv(repoRoot))
    .merge(apiKeysEnv);
}
export type ApiEnv = z.output<ReturnType<typeof apiEnv>>;

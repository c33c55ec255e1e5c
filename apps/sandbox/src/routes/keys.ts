import { API_PATHS } from "@riskq/contracts";
import { parseJsonBody } from "./payload";
import type { Route } from "./route";

/** POST key/query (docs/alipay-ai-api.md §4): the current key and, within the hour before a rotation, the next. */
export const keyRoutes: Record<string, Route> = {
  [API_PATHS.keyQuery]: {
    method: "POST",
    handle(call) {
      parseJsonBody(call, "application/json", call.body || "{}");
      const keys = call.state.keys.listedAt(call.state.clock.now()).map((k) => ({
        key_id: k.keyId,
        aes_key: k.aesKey,
        not_before: new Date(k.notBefore).toISOString(),
        expires_at: new Date(k.expiresAt).toISOString(),
      }));
      return { body: { keys } };
    },
  },
};

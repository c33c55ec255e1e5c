import { API_PATHS, tokenRequestSchema } from "@riskq/contracts";
import { ApiError, invalidParameter } from "../api-error";
import { parseJsonBody, zodMessage } from "./payload";
import type { Route } from "./route";

/** POST /v3/alipay/open/auth/token/app (docs/alipay-ai-api.md §5.1). */
export const tokenRoutes: Record<string, Route> = {
  [API_PATHS.authToken]: {
    method: "POST",
    handle(call) {
      const { state } = call;
      const parsed = tokenRequestSchema.safeParse(parseJsonBody(call, "application/json"));
      if (!parsed.success) throw invalidParameter(zodMessage(parsed.error));
      const now = state.clock.now();
      if (parsed.data.grant_type === "authorization_code") {
        const grant = state.tokens.exchangeCode(parsed.data.code, now);
        state.ledger.tokenGrants += 1;
        return { body: grant };
      }
      const outcome = state.tokens.exchangeRefresh(parsed.data.refresh_token, now);
      if ("grant" in outcome) {
        state.ledger.tokenRefreshes += 1;
        return { body: outcome.grant };
      }
      if (outcome.revokedMerchant) state.ledger.revocations += 1;
      throw new ApiError(400, "invalid-refresh-token", "invalid refresh token");
    },
  },
};

import { API_PATHS } from "@riskq/contracts";
import { pricingBody } from "../pricing";
import type { Route } from "./route";

/** GET pricing (docs/alipay-ai-api.md §9): the published fees; every call also echoes its own `billing`. */
export const pricingRoutes: Record<string, Route> = {
  [API_PATHS.pricing]: { method: "GET", handle: () => ({ body: pricingBody() }) },
};

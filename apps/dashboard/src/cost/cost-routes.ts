import type { FastifyInstance } from "fastify";
import { costJson } from "./cost-json";
import { costPage } from "./cost-page";
import { type CostReportSource, readCostReport } from "./cost-report";

/** The cost page; its JSON twin is at `${COST_PATH}.json`. */
export const COST_PATH = "/cost";

/**
 * The page needs nothing from anywhere: its style is inline and its plot is inline SVG. A strict
 * policy keeps it so even if a value read from Redis ever slipped past the escaping.
 */
const COST_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /cost` (HTML) and `GET /cost.json`: reads only (ledger, recorded traffic, budget hashes), so
 * nothing here changes state; the access control installed on the root instance (Basic auth, and
 * the same-origin check for state-changing methods) covers these routes like every other.
 */
export function registerCostRoutes(app: FastifyInstance, source: CostReportSource, boardPath: string): void {
  app.get(COST_PATH, async (_request, reply) => {
    const report = await readCostReport(source);
    return reply
      .header("content-security-policy", COST_PAGE_CSP)
      .type("text/html; charset=utf-8")
      .send(costPage(report, { board: boardPath, json: `${COST_PATH}.json` }));
  });
  app.get(`${COST_PATH}.json`, async () => costJson(await readCostReport(source)));
}

import { integer, oneOf, port, riskqCommonEnv, secret } from "@riskq/config";
import { budgetLimitsEnv } from "@riskq/cost";
import { z } from "zod";

/** The dashboard's start-up variables (README, "Environment variables"), common ones included. */
export const dashboardEnv = riskqCommonEnv
  .extend({
    DASHBOARD_HOST: z.string().min(1).default("127.0.0.1"),
    DASHBOARD_PORT: port(3001),
    // HTTP Basic credentials: both secrets, so production refuses to start without them.
    DASHBOARD_USER: secret({
      devDefault: "riskq",
      describe: "the user name of the dashboard's HTTP Basic login",
    }),
    DASHBOARD_PASSWORD: secret({
      devDefault: "riskq-development-only-password",
      minLength: 16,
      describe:
        "the password of the dashboard's HTTP Basic login, 16 characters or more, e.g. output of: openssl rand -base64 24",
    }),
    // The badge in the board's header; without it, NODE_ENV (so nobody mistakes production for a test).
    DASHBOARD_ENV_LABEL: z.string().trim().min(1).max(40).optional(),
    // The cost page (docs/budget-and-cost.md, "Cost page") reads the workers' own settings, with the workers'
    // defaults, so it shows their budgets and marks their batch cap and pre-filter mode on the bill curves.
    BATCH_CAP: integer({ min: 1, max: 100, default: 100 }),
    RISKQ_PREFILTER: oneOf(["on", "shadow", "off"], "shadow"),
  })
  .extend(budgetLimitsEnv.shape);

/** The budgets the workers' variables describe (the same reading as the worker's). */
export { budgetConfigOf } from "@riskq/cost";

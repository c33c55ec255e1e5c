import { z } from "zod";
import { field } from "./field";
import { secret } from "./secret-fields";

/**
 * RISKQ_CALLBACK_SECRET: the master secret of result callbacks (docs/pipeline.md, "Result callbacks"). The
 * workers sign each key's callbacks with a secret derived from it; the CLI derives the same secret
 * for a key's owner (`riskq callbacks secret <name>`).
 */
export const callbackSecretEnv = z.object({
  RISKQ_CALLBACK_SECRET: secret({
    of: field<string>("at least 16 characters", (raw) =>
      raw.length >= 16 ? { ok: true, value: raw } : { ok: false },
    ),
    devDefault: "riskq-development-only-callback-secret",
    describe: "at least 16 characters that sign result callbacks, e.g. output of: openssl rand -hex 32",
  }),
});

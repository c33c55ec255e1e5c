/**
 * `riskq callbacks secret <key-name>` prints the secret a key's receivers verify with: HMAC-SHA256 of
 * "riskq-callback:<name>" under the workers' RISKQ_CALLBACK_SECRET, the one the workers sign with.
 */
import { createHmac } from "node:crypto";
import { cliRunner } from "@riskq/testing";
import { describe, expect, it } from "vitest";

const runCli = cliRunner(process.env);

const MASTER = "cli-test-callback-master-secret";
const expected = (name: string) =>
  createHmac("sha256", MASTER).update(`riskq-callback:${name}`).digest("hex");

describe("riskq callbacks secret", () => {
  it("prints the key's derived secret, different per key, and never the master", async () => {
    const env = { RISKQ_CALLBACK_SECRET: MASTER };
    const [checkout, billing] = await Promise.all([
      runCli(["callbacks", "secret", "checkout"], { env }),
      runCli(["callbacks", "secret", "billing", "--json"], { env }),
    ]);
    expect(checkout.code).toBe(0);
    expect(checkout.stdout.trim()).toBe(expected("checkout"));
    expect(billing.json()).toEqual({ key: "billing", callback_secret: expected("billing") });
    expect(checkout.stdout + checkout.stderr + billing.stdout).not.toContain(MASTER);
  });

  it("refuses what is not a key name (a key pasted by mistake) with exit 2", async () => {
    const run = await runCli(["callbacks", "secret", "Bearer abc"], {
      env: { RISKQ_CALLBACK_SECRET: MASTER },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a key's name");
    expect(run.stdout).toBe("");
  });
});

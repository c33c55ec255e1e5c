import { randomBytes } from "node:crypto";
import { type KnownKey, SecretBox } from "@riskq/alipay";
import { describe, expect, it } from "vitest";
import { useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();
const HOUR = 3_600_000;

describe("the worker's own AES key probe (node-cron)", () => {
  it("replaces a cached key that Alipay rejects, without any scoring traffic", async () => {
    const { kit, sandbox } = suite;
    // A key Alipay never issued, sealed into the key store exactly as the client seals its list.
    const name = `${kit.prefix}:alipay:aes-keys`;
    const bogus: KnownKey = {
      keyId: "k-bogus-01",
      aesKey: randomBytes(16).toString("base64"),
      notBefore: Date.now() - HOUR,
      expiresAt: Date.now() + 24 * HOUR,
    };
    await kit.connection.set(name, new SecretBox(kit.secretKey).seal(JSON.stringify([bogus]), name));
    expect((await kit.alipay.currentKey()).keyId).toBe("k-bogus-01");

    // Every second instead of every 10 minutes: the schedule is the worker's, the speed the test's.
    const rejected: Array<string | undefined> = [];
    await kit.startWorker({
      keyProbeCron: "* * * * * *",
      onKeyRejected: async (probe) => {
        rejected.push(probe.keyId);
      },
    });

    const live = (await sandbox.control.state()).keys.map((k) => k.key_id);
    let current = "k-bogus-01";
    for (let i = 0; i < 100 && current === "k-bogus-01"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = (await kit.alipay.currentKey()).keyId;
    }
    expect(live).toContain(current);
    // Told once per rejected key (the alert's source), and the new key is not rejected.
    expect(rejected).toEqual(["k-bogus-01"]);
    expect((await kit.alipay.probeKeyHealth()).healthy).toBe(true);
    const ledger = await sandbox.control.ledger();
    expect(ledger.items).toBe(0);
  });
});

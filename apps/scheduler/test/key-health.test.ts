import { randomBytes } from "node:crypto";
import { checkKeyHealth, type KnownKey, SecretBox } from "@riskq/alipay";
import { describe, expect, it } from "vitest";
import { memoryLogger, testLogger, useSchedulerKit } from "./support/scheduler-harness";

const suite = useSchedulerKit();
const HOUR = 3_600_000;

describe("key-health job", () => {
  it("rotates at once when the stored key is rejected, alerts, and the next probe is healthy", async () => {
    const { kit, sandbox } = suite;
    const alipay = kit.client();
    // A key Alipay never issued, sealed into the store exactly as the client seals its key list.
    const name = `${kit.prefix}:alipay:aes-keys`;
    const bogus: KnownKey = {
      keyId: "k-bogus-01",
      aesKey: randomBytes(16).toString("base64"),
      notBefore: kit.now() - HOUR,
      expiresAt: kit.now() + 7 * 24 * HOUR,
    };
    await kit.connection.set(name, new SecretBox(kit.secretKey).seal(JSON.stringify([bogus]), name));
    const log = memoryLogger();

    const report = await checkKeyHealth({ alipay, logger: log.logger });

    expect(report.probe).toMatchObject({ healthy: false, keyId: "k-bogus-01" });
    const live = (await sandbox.control.state()).keys.map((k) => k.key_id);
    expect(live).toContain(report.rotatedTo);
    expect(log.records()).toContainEqual(
      expect.objectContaining({ level: 50, alert: "key_health_failed", keyId: "k-bogus-01" }),
    );
    const next = await checkKeyHealth({ alipay, logger: testLogger });
    expect(next.probe).toMatchObject({ healthy: true, keyId: report.rotatedTo });
    expect(next.rotatedTo).toBeUndefined();
  });

  it("leaves a healthy key alone: one unbilled canary call, no rotation, no alert", async () => {
    const { kit, sandbox } = suite;
    const alipay = kit.client();
    await alipay.fetchKeys();
    const log = memoryLogger();
    const callsBefore = (await sandbox.control.ledger()).calls;

    const report = await checkKeyHealth({ alipay, logger: log.logger });

    expect(report.probe.healthy).toBe(true);
    expect(report.rotatedTo).toBeUndefined();
    expect(log.records().filter((r) => "alert" in r)).toEqual([]);
    const ledger = await sandbox.control.ledger();
    expect(ledger.calls - callsBefore).toBe(1);
    expect(ledger.items).toBe(0);
  });
});

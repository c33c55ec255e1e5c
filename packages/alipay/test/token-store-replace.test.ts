import { randomBytes } from "node:crypto";
import { useTestRedis } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { type MerchantTokenRecord, MerchantTokenStore } from "../src/merchant-token-store";
import { SecretBox } from "../src/secret-box";

const PER_CONNECTION = 50;

function recordNo(n: number): MerchantTokenRecord {
  return { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresAt: n, refreshExpiresAt: n };
}

describe("merchant token store: replace", () => {
  const suite = useTestRedis({ url: process.env.REDIS_URL });

  it("gives concurrent replaces from two connections distinct, increasing versions; the last one is read back", async () => {
    const box = new SecretBox(randomBytes(32));
    // A second connection, as a second API process onboarding the same merchant would have.
    const other = suite.redis.redis.duplicate();
    try {
      const stores = [
        new MerchantTokenStore(suite.redis.redis, suite.redis.prefix, box),
        new MerchantTokenStore(other, suite.redis.prefix, box),
      ];
      const merchantId = "m-replace-race";
      const writes = stores.flatMap((store, s) =>
        Array.from({ length: PER_CONNECTION }, (_, i) => {
          const n = s * PER_CONNECTION + i;
          return store.replace(merchantId, recordNo(n)).then((version) => ({ n, version }));
        }),
      );
      const results = await Promise.all(writes);

      const total = stores.length * PER_CONNECTION;
      const versions = results.map((r) => r.version).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: total }, (_, i) => i + 1));

      const stored = await stores[0]!.read(merchantId);
      expect(stored?.version).toBe(total);
      const last = results.find((r) => r.version === total);
      expect(stored?.record).toEqual(recordNo(last!.n));
      expect(await stores[1]!.merchants()).toEqual([merchantId]);
    } finally {
      await other.quit();
    }
  });

  it("clears a re-authorisation mark", async () => {
    const store = new MerchantTokenStore(
      suite.redis.redis,
      suite.redis.prefix,
      new SecretBox(randomBytes(32)),
    );
    await store.replace("m-reauth", recordNo(1));
    await store.markReauthRequired("m-reauth", "refresh token rejected", 1);
    expect((await store.status("m-reauth")).state).toBe("reauth_required");

    expect(await store.replace("m-reauth", recordNo(2))).toBe(2);
    expect(await store.status("m-reauth")).toEqual({ state: "active" });
  });
});

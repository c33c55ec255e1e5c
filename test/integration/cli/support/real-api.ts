/**
 * The real riskq API in-process on a real Redis prefix, listening on a free port: what the CLI's
 * API commands talk to. Built with the API's own test harness, once per test file.
 */
import type { AddressInfo } from "node:net";
import { API_KEY, type ApiKit, startApi } from "@riskq/api/testing";
import { createTestRedis, type TestRedis } from "@riskq/testing";

export interface RealApi {
  kit: ApiKit;
  testRedis: TestRedis;
  /** What a CLI run needs to reach this API (and its Redis prefix). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startRealApi(): Promise<RealApi> {
  const testRedis = await createTestRedis({ url: process.env.REDIS_URL });
  const kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: testRedis.prefix });
  await kit.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = kit.app.server.address() as AddressInfo;
  return {
    kit,
    testRedis,
    env: {
      RISKQ_API_URL: `http://127.0.0.1:${port}`,
      RISKQ_API_KEY: API_KEY,
      REDIS_URL: kit.redisUrl,
      RISKQ_PREFIX: testRedis.prefix,
    },
    async close() {
      await kit.close();
      await testRedis.cleanup();
    },
  };
}

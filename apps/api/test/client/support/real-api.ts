/**
 * The real riskq API, in-process on a real Redis prefix and listening on a free port, for the SDK's
 * end-to-end tests. Built with the API's own test harness (apps/api), so the SDK is exercised
 * against exactly what the API's tests exercise.
 */
import type { AddressInfo } from "node:net";
import { createTestRedis, type TestRedis } from "@riskq/testing";
import { API_KEY, type ApiKit, countJobs, startApi } from "../../support/api-harness";

export { API_KEY, countJobs };

export interface RealApi extends AsyncDisposable {
  kit: ApiKit;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startRealApi(options: { maxBacklog?: number } = {}): Promise<RealApi> {
  const testRedis: TestRedis = await createTestRedis({ url: process.env.REDIS_URL });
  const kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: testRedis.prefix, ...options });
  await kit.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = kit.app.server.address() as AddressInfo;
  let closed = false;
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await kit.close();
    await testRedis.cleanup();
  }
  return { kit, baseUrl: `http://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}

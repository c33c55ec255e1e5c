/**
 * A real outage: the API's Redis (a private redis-server child) is killed, the real API answers 503,
 * and the SDK keeps retrying until Redis is back and the enqueue succeeds.
 */
import type { AddressInfo } from "node:net";
import { createRiskqClient } from "@riskq/client";
import { scoreRequest } from "@riskq/client/testing";
import { afterEach, expect, it } from "vitest";
import { API_KEY, type ApiKit, startApi } from "../support/api-harness";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis";

let redis: PrivateRedis | undefined;
let kit: ApiKit | undefined;
afterEach(async () => {
  await kit?.close();
  await redis?.kill();
});

it("retries the API's 503 while Redis is down and succeeds once it is back", async () => {
  redis = await startPrivateRedis();
  // A private, throwaway redis-server: a fixed prefix cannot collide with anything.
  kit = await startApi({ redisUrl: redis.url, prefix: "{client-outage}" });
  await kit.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = kit.app.server.address() as AddressInfo;
  await redis.kill();

  const statuses: number[] = [];
  let restarting: Promise<void> | undefined;
  const client = createRiskqClient({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: API_KEY,
    // Many short waits: enough attempts to outlast the restart and the API's reconnect (≤ 1 s).
    retries: { attempts: 300, baseMs: 100, capMs: 100 },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      // Redis comes back only after the SDK has really met a 503.
      if (response.status === 503) restarting ??= redis!.restart();
      return response;
    },
  });

  const job = await client.enqueueScore(scoreRequest("after-outage"));

  expect(job).toMatchObject({ item_id: "after-outage", status: "queued", duplicate: false });
  expect(statuses[0]).toBe(503);
  expect(statuses.at(-1)).toBe(202);
  expect(new Set(statuses.slice(0, -1))).toEqual(new Set([503]));
  await restarting;
});

/** With Redis hung: /readyz and every /v1 route answer 503 as documented, /metrics still 200. */
import { describe, expect, it } from "vitest";
import { AUTH, MERCHANT_ID, scoreBody, startApi } from "../support/api-harness";
import { startPrivateRedis } from "../support/private-redis";
import { type Call, jobId, type LiveAnswers } from "./live-answers";

export function redisDownAnswerTests(live: LiveAnswers): void {
  describe("Redis down: live answers are the documented ones", () => {
    it("/readyz and the /v1 routes answer 503 with Retry-After", async () => {
      const redis = await startPrivateRedis();
      const kit = await startApi({
        redisUrl: redis.url,
        prefix: "{openapi-down}",
        metrics: true,
        // Onboarding stores the merchant's tokens in Redis, as the Alipay client does.
        alipayOn: (api) => ({
          onboardMerchant: async (merchantId) => {
            await api.set(`{openapi-down}:merchant:${merchantId}`, "tokens");
            return { expiresAt: Date.now() + 3_600_000 };
          },
        }),
      });
      // Hung rather than killed (SIGSTOP): the connections stay open, so the kit closes cleanly after.
      redis.pause();
      try {
        const down: Array<[string, Call]> = [
          ["/readyz", { method: "GET", url: "/readyz", headers: {} }],
          ["/v1/scores", { method: "POST", url: "/v1/scores", payload: scoreBody("r-1") }],
          [
            "/v1/scores/batch",
            { method: "POST", url: "/v1/scores/batch", payload: { items: [scoreBody("r-1")] } },
          ],
          ["/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("r-1")}` }],
          ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters" }],
          ["/v1/dead-letters/{id}", { method: "GET", url: `/v1/dead-letters/${jobId("r-1")}` }],
          [
            "/v1/dead-letters/redrive",
            { method: "POST", url: "/v1/dead-letters/redrive", payload: { reason: "expired" } },
          ],
          ["/v1/dead-letters", { method: "DELETE", url: "/v1/dead-letters", payload: { reason: "expired" } }],
          [
            "/v1/merchants",
            {
              method: "POST",
              url: "/v1/merchants",
              payload: { merchant_id: MERCHANT_ID, auth_code: "fresh-code" },
            },
          ],
        ];
        // At once: each waits out the API's Redis command timeout.
        const answered = await Promise.all(
          down.map(([, { method, url, headers = AUTH, payload }]) =>
            kit.app.inject({ method, url, headers, ...(payload ? { payload: payload as object } : {}) }),
          ),
        );
        answered.forEach((answer, i) => {
          const [path, { method, url }] = down[i]!;
          live.answers.check(method, path, answer);
          expect(answer.statusCode, `${method} ${url}`).toBe(503);
        });
        // The metrics say Redis is down rather than fail.
        const metrics = await kit.app.inject({ method: "GET", url: "/metrics" });
        live.answers.check("GET", "/metrics", metrics);
        expect(metrics.statusCode).toBe(200);
      } finally {
        redis.resume();
        await kit.close();
        await redis.kill();
      }
    });
  });
}

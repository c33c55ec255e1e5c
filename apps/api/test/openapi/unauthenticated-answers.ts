/** The routes without a key (probes, metrics, the document, /docs and its assets), as documented. */
import { describe, expect, it } from "vitest";
import type { LiveAnswers } from "./live-answers";

export function unauthenticatedAnswerTests(live: LiveAnswers): void {
  const { ctx, call } = live;
  describe("unauthenticated routes: live answers are the documented ones", () => {
    it("/healthz, /readyz, /metrics and /openapi.json answer 200", async () => {
      for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json"]) {
        expect((await call(path, { method: "GET", url: path, headers: {} })).statusCode, path).toBe(200);
      }
    });

    it("/docs answers HTML whose scripts, styles and icons are all local, and each of them answers", async () => {
      const page = await call("/docs", { method: "GET", url: "/docs", headers: {} });
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
      const references = [...page.body.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
      expect(references.length).toBeGreaterThanOrEqual(3);
      for (const reference of references) {
        // Resolved as a browser would from the page's URL: it must stay on the API's own host.
        const resolved = new URL(reference, "http://riskq-api.test/docs");
        expect(resolved.origin, reference).toBe("http://riskq-api.test");
        expect(resolved.pathname, reference).toMatch(/^\/docs\/[\w.-]+$/);
        const asset = await call("/docs/{file}", { method: "GET", url: resolved.pathname, headers: {} });
        expect(asset.statusCode, reference).toBe(200);
        expect(asset.rawPayload.length, reference).toBeGreaterThan(0);
      }
      // The start-up script points Swagger UI at this API's own document, and at no validator elsewhere.
      const init = await ctx.kit.app.inject({ method: "GET", url: "/docs/init.js" });
      expect(init.body).toContain('url: "openapi.json"');
      expect(init.body).toContain("validatorUrl: null");
    });

    it("/docs/{file}: 404 for any other name, 400 for an undecodable one", async () => {
      for (const [url, status] of [
        ["/docs/package.json", 404],
        ["/docs/..%2Fpackage.json", 404],
        ["/docs/%zz", 400],
      ] as const) {
        expect((await call("/docs/{file}", { method: "GET", url, headers: {} })).statusCode, url).toBe(
          status,
        );
      }
    });
  });
}

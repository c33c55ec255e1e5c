/** The served document itself: valid OpenAPI 3.1, examples that fit its schemas, where it asks for a key. */
import { validate } from "@readme/openapi-parser";
import type { OpenAPIV3_1 } from "openapi-types";
import { describe, expect, it } from "vitest";
import type { LiveAnswers } from "./live-answers";

export function documentTests(live: LiveAnswers): void {
  describe("the document", () => {
    it("is a valid OpenAPI 3.1 document (by @readme/openapi-parser)", async () => {
      expect(live.document).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
      const result = await validate(structuredClone(live.document) as unknown as OpenAPIV3_1.Document);
      expect(result).toMatchObject({ valid: true });
    });

    it("has examples that fit its own schemas", () => {
      expect(live.answers.exampleErrors()).toEqual([]);
    });

    it("asks for the bearer key everywhere but on the probes, metrics and itself", () => {
      expect(live.document).toMatchObject({
        security: [{ bearer: [] }],
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      });
      const open = Object.entries(live.document.paths).flatMap(([path, operations]) =>
        Object.values(operations).some((op) => (op as { security?: unknown[] }).security?.length === 0)
          ? [path]
          : [],
      );
      expect(open.sort()).toEqual([
        "/docs",
        "/docs/{file}",
        "/healthz",
        "/metrics",
        "/openapi.json",
        "/readyz",
      ]);
    });
  });
}

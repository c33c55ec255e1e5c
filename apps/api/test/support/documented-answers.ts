import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";

// ajv-formats is CommonJS: its function is the default export's `default` under Node's ESM loader.
const addFormats = ((addFormatsModule as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
type MediaType = { schema?: unknown; examples?: Record<string, { value: unknown }> };
type Response = { headers?: Record<string, { required?: boolean }>; content?: Record<string, MediaType> };
type Operation = {
  responses: Record<string, Response>;
  requestBody?: { content: Record<string, MediaType> };
};

/** `~` and `/` escaped as a JSON pointer segment (RFC 6901). */
const pointerSegment = (text: string) => text.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * Checks live answers against an OpenAPI document with an independent JSON Schema 2020-12 validator
 * (ajv, not the zod schemas the document came from): the answer's status must be documented for its
 * path and method, its content type listed, its JSON body valid against that status's schema, and
 * its required headers present. Remembers which (method, path, status) it has seen.
 */
export function documentedAnswers(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The whole document under one id: its `#/components/schemas/…` references resolve inside it.
  ajv.addSchema(document, "openapi.json");
  const validatorAt = (pointer: string) => ajv.compile({ $ref: `openapi.json#${pointer}` });
  const seen = new Set<string>();

  return {
    seen,

    /** Expects `answer` to be one the document describes for `method` `path` (a template: `/v1/scores/{id}`). */
    check(method: string, path: string, answer: LightMyRequestResponse): void {
      const where = `${method.toUpperCase()} ${path} ${answer.statusCode}`;
      const operation = document.paths[path]?.[method.toLowerCase()];
      expect(operation, `${method} ${path} is not in the document`).toBeDefined();
      const response = operation!.responses[String(answer.statusCode)];
      expect(response, `${where}: status not documented (body ${answer.body.slice(0, 200)})`).toBeDefined();
      seen.add(where);
      for (const [name, header] of Object.entries(response!.headers ?? {})) {
        if (header.required)
          expect(answer.headers[name.toLowerCase()], `${where}: header ${name}`).toBeDefined();
      }
      if (!response!.content) return;
      const type = String(answer.headers["content-type"] ?? "")
        .split(";")[0]!
        .trim();
      expect(Object.keys(response!.content), `${where}: content type`).toContain(type);
      if (type !== "application/json") return;
      const validate = validatorAt(
        `/paths/${pointerSegment(path)}/${method.toLowerCase()}/responses/${answer.statusCode}/content/application~1json/schema`,
      );
      const valid = validate(answer.json());
      expect(validate.errors ?? [], `${where}: body ${answer.body.slice(0, 500)}`).toEqual([]);
      expect(valid).toBe(true);
    },

    /** Every example of the document's requests and answers, with the error of its schema if any. */
    exampleErrors(): string[] {
      const errors: string[] = [];
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const base = `/paths/${pointerSegment(path)}/${method}`;
          const media: Array<[string, MediaType | undefined]> = [
            [
              `${base}/requestBody/content/application~1json`,
              operation.requestBody?.content["application/json"],
            ],
            ...Object.entries(operation.responses).map(
              ([status, response]): [string, MediaType | undefined] => [
                `${base}/responses/${status}/content/application~1json`,
                response.content?.["application/json"],
              ],
            ),
          ];
          for (const [pointer, type] of media) {
            for (const [name, example] of Object.entries(type?.examples ?? {})) {
              const validate = validatorAt(`${pointer}/schema`);
              if (!validate(example.value))
                errors.push(`${pointer} ${name}: ${ajv.errorsText(validate.errors)}`);
            }
          }
        }
      }
      return errors;
    },
  };
}

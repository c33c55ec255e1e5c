import { z } from "zod";

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as zod writes it. */
export type JsonSchema = Record<string, unknown>;

/** Named zod schemas, each becoming `#/components/schemas/<name>`. */
export type NamedSchemas = Record<string, z.ZodType>;

const componentRef = (name: string) => `#/components/schemas/${name}`;

// zod stamps every schema it writes with `$schema` (the dialect OpenAPI 3.1 already implies) and
// each registered one with an `$id` equal to its reference: both dropped so components read plainly.
function withoutIds({ $schema: _dialect, $id: _id, ...schema }: JsonSchema): JsonSchema {
  return schema;
}

/**
 * The JSON Schemas of `schemas`, by name, from the zod schemas the routes themselves parse with (or
 * answer with). A named schema met inside another becomes a `$ref` to its component. Requests are
 * written as they are read (`io: "input"`: fields with defaults are optional) and answers as they
 * are written (`io: "output"`: unknown fields absent, so `additionalProperties: false`). Checks zod
 * cannot express in JSON Schema (refinements such as ISO currency codes) are left to the API's 400.
 */
export function componentSchemas(schemas: NamedSchemas, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(schemas)) registry.add(schema, { id: name });
  const { schemas: written } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io,
    uri: componentRef,
  });
  return Object.fromEntries(
    Object.entries(written).map(([name, schema]) => [name, withoutIds(schema as JsonSchema)]),
  );
}

/**
 * The query parameters of an object schema, one per property, as OpenAPI lists them (a query
 * string is not a JSON body: each field is its own parameter).
 */
export function queryParameters(schema: z.ZodObject): JsonSchema[] {
  const written = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(written.properties ?? {}).map(([name, { description, ...property }]) => ({
    name,
    in: "query",
    required: written.required?.includes(name) ?? false,
    ...(description === undefined ? {} : { description }),
    schema: property,
  }));
}

import type { FastifyInstance } from "fastify";
import { ApiError } from "./api-error";

/**
 * Deepest nesting of arrays and objects a body may have. Real bodies nest 3 levels (a batch's
 * items); recursive walks of the body (the card-number guard, zod) overflow the stack somewhere past
 * 10 000 levels, which answered 500. Checked on the raw text, before anything parses or walks it.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * How deep `text` nests, or `limit + 1` as soon as it goes past `limit` (so a huge body is not
 * scanned to its end). Brackets inside strings do not count; malformed JSON is left to the parser.
 */
function jsonDepthOver(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/**
 * Replaces the JSON body parser with Fastify's own (same limits, same prototype-poisoning checks)
 * preceded by the depth check: a too-deep body answers 400 before it becomes an object at all.
 */
export function installJsonDepthLimit(app: FastifyInstance, bodyLimit: number): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit }, (request, body, done) => {
    const text = body as string;
    if (jsonDepthOver(text, MAX_JSON_DEPTH)) {
      done(
        new ApiError(400, {
          error: "invalid_json",
          message: `the body nests deeper than ${MAX_JSON_DEPTH} levels; score requests need 3`,
        }),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}

import { z } from "zod";

/** What `parseConfig` needs to know about a field beyond its zod schema. */
export interface FieldMeta {
  /** What a valid value looks like, completing "X must be …" / "X is required: …". */
  expected?: string;
  /** The value is a secret: never echo it, and require it in production. */
  secret?: boolean;
  /** Value used for a missing secret outside production (with a warning). */
  devDefault?: string;
  /**
   * The value may carry credentials (a password in a Redis URL, a token in a webhook URL): never
   * echo it in an error, but unlike a secret it is not required. Secrets are always sensitive.
   */
  sensitive?: boolean;
  /**
   * Only with `NODE_ENV=production`: why the raw value (undefined when unset, i.e. the default
   * applies) is not acceptable there, or undefined when it is. The reason follows the variable's
   * name and must not quote the value.
   */
  productionCheck?: (raw: string | undefined) => string | undefined;
}

/**
 * Metadata of env fields. A registry rather than `.meta()` so that project fields never leak into
 * zod's global registry (and JSON-schema output).
 */
export const envFields = z.registry<FieldMeta>();

/** Marks an issue as written by a field builder: its message already reads "must be …". */
const FIELD_ISSUE = "riskq-field";

/** Result of decoding one raw env value. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; message?: string };

/**
 * The generic field builder: a zod schema from a string to `T`, with messages phrased for env vars.
 * `decode` gets the raw string; on failure its `message` (default "must be <expected>") is used.
 *
 * @example field("a hex colour", (raw) => (/^#[0-9a-f]{6}$/i.test(raw) ? { ok: true, value: raw } : { ok: false }))
 */
export function field<T>(
  expected: string,
  decode: (raw: string) => Decoded<T>,
): z.ZodPipe<z.ZodString, z.ZodTransform<T, string>> {
  const schema = z.string().transform((raw, ctx): T => {
    const decoded = decode(raw);
    if (decoded.ok) return decoded.value;
    ctx.issues.push({
      code: "custom",
      input: raw,
      message: decoded.message ?? `must be ${expected}`,
      params: { [FIELD_ISSUE]: true },
    });
    return z.NEVER;
  });
  envFields.add(schema, { expected });
  return schema as z.ZodPipe<z.ZodString, z.ZodTransform<T, string>>;
}

/** True when a zod issue came from `field()`, so its message can follow the variable name directly. */
export function isFieldIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === "custom" && issue.params?.[FIELD_ISSUE] === true;
}

/**
 * Metadata of a field, looking through wrappers (`.default()`, `.optional()`, pipes) so that
 * composing a secret with further zod methods can never make it echo its value.
 */
export function fieldMeta(schema: z.core.$ZodType): FieldMeta {
  const found: FieldMeta = {};
  let current: z.core.$ZodType | undefined = schema;
  for (let depth = 0; current && depth < 16; depth++) {
    const meta = envFields.get(current);
    if (meta) {
      found.expected ??= meta.expected;
      found.devDefault ??= meta.devDefault;
      found.secret ||= meta.secret;
      found.sensitive ||= meta.sensitive;
      found.productionCheck ??= meta.productionCheck;
    }
    const def = current._zod.def as { innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    current = def.innerType ?? def.in;
  }
  return found;
}

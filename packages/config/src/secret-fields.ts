import { z } from "zod";
import { envFields, field, fieldMeta } from "./field";

/** Options of a secret field. */
export interface SecretOptions<T> {
  /**
   * Value used when the variable is missing outside production; parseConfig then records a warning.
   * Without it the secret is required everywhere.
   */
  devDefault?: string;
  /** What the secret is and how to make one; completes "X is required in production: …". */
  describe?: string;
  /** How to decode the value (default: any non-empty string), e.g. `csv()` or `base64Key(32)`. */
  of?: z.ZodType<T>;
  /** In production, the fewest characters accepted (of each item, with `list`). */
  minLength?: number;
  /** The value is a comma-separated list (bearer keys): `minLength` and `devDefault` apply per item. */
  list?: boolean;
}

const nonEmpty = field("a non-empty value", (raw) => (raw === "" ? { ok: false } : { ok: true, value: raw }));

/**
 * A secret variable: its value never appears in error messages, it is required when
 * `NODE_ENV=production`, and elsewhere a missing value takes `devDefault` with a warning. It may be
 * given in a file named by `<NAME>_FILE` instead (see parseConfig). In production the development
 * default (published in this repository, so no secret) and values shorter than `minLength` are
 * refused.
 *
 * @example secret({ of: csv(), devDefault: "dev-key", describe: "comma-separated bearer keys of the API" })
 */
export function secret<T = string>(options: SecretOptions<T> = {}): z.ZodPipe<z.ZodString, z.ZodType<T>> {
  const inner = (options.of ?? nonEmpty) as z.ZodType<T, string>;
  // A fresh wrapper, so marking it secret leaves the caller's `of` schema untouched.
  const schema = z.string().pipe(inner);
  const expected = options.describe ?? fieldMeta(inner).expected;
  envFields.add(schema, {
    secret: true,
    sensitive: true,
    devDefault: options.devDefault,
    expected,
    productionCheck: (raw) => productionProblem(raw, options, expected),
  });
  return schema;
}

/** Why a secret's value must not be used in production (without quoting it), or undefined. */
function productionProblem(raw: string | undefined, options: SecretOptions<unknown>, expected?: string) {
  if (raw === undefined) return undefined; // a missing secret is reported as required
  const values = options.list
    ? raw
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "")
    : [raw.trim()];
  const what = expected ? ` (${expected})` : "";
  if (options.devDefault !== undefined && values.includes(options.devDefault.trim())) {
    return `holds the development default, which is public: set your own in production${what}`;
  }
  const { minLength } = options;
  if (minLength !== undefined && values.some((value) => value.length < minLength)) {
    const each = options.list ? " each" : "";
    return `must be at least ${minLength} characters${each} in production${what}`;
  }
  return undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A key given as base64 that must decode to exactly `bytes` bytes (RISKQ_SECRET_KEY: 32).
 * Always a secret; the output is the decoded key.
 */
export function base64Key(bytes: number, options: Omit<SecretOptions<Buffer>, "of"> = {}) {
  const howToMake = `generate one with: openssl rand -base64 ${bytes}`;
  const decoded = field(`base64 of exactly ${bytes} bytes (${howToMake})`, (raw) => {
    const trimmed = raw.trim();
    if (!BASE64.test(trimmed))
      return { ok: false, message: `must be base64 of exactly ${bytes} bytes (${howToMake})` };
    const key = Buffer.from(trimmed, "base64");
    if (key.length !== bytes) {
      return {
        ok: false,
        message: `must decode to exactly ${bytes} bytes, not ${key.length} (${howToMake})`,
      };
    }
    return { ok: true, value: key };
  });
  return secret<Buffer>({
    ...options,
    of: decoded,
    describe: options.describe ?? `base64 of ${bytes} random bytes (${howToMake})`,
  });
}

import type { z } from "zod";
import { envFields, field } from "./field";

/**
 * An absolute URL (kept as the string given, trimmed). `protocols` restricts the scheme, e.g.
 * `["redis:", "rediss:"]`. Without a default the variable is required.
 */
export interface UrlOptions {
  protocols?: readonly string[];
  /** With `NODE_ENV=production` only these schemes (e.g. `["https:"]`), the default included. */
  productionProtocols?: readonly string[];
}

export function url(
  defaultUrl: string,
  options?: UrlOptions,
): z.ZodDefault<z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>>;
export function url(
  defaultUrl?: undefined,
  options?: UrlOptions,
): z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>;
export function url(defaultUrl?: string, options: UrlOptions = {}) {
  const { protocols, productionProtocols } = options;
  const expected = protocols
    ? `a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`
    : "an absolute URL (e.g. https://host:port/path)";
  const schema = field(expected, (raw) => {
    const trimmed = raw.trim();
    if (!URL.canParse(trimmed)) return { ok: false };
    if (protocols && !protocols.includes(new URL(trimmed).protocol)) return { ok: false };
    return { ok: true, value: trimmed };
  });
  if (productionProtocols) {
    const schemes = productionProtocols.map((p) => `${p}//`).join(" or ");
    envFields.add(schema, {
      expected,
      productionCheck: (raw) => {
        const value = (raw ?? defaultUrl)?.trim();
        if (value === undefined || !URL.canParse(value)) return undefined; // reported by the parse
        if (productionProtocols.includes(new URL(value).protocol)) return undefined;
        return raw === undefined
          ? `must be set to a URL starting with ${schemes} in production (the default is for development)`
          : `must start with ${schemes} in production`;
      },
    });
  }
  return defaultUrl === undefined ? schema : schema.default(defaultUrl);
}

/**
 * A comma-separated list: items trimmed, empty items dropped (so a trailing comma is harmless).
 * Missing means an empty list unless `default` says otherwise.
 */
export function csv(options: { default?: readonly string[] } = {}) {
  const schema = field("a comma-separated list", (raw) => ({
    ok: true,
    value: raw
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  }));
  return schema.default(() => [...(options.default ?? [])]);
}

/** One of a fixed set of words (case-sensitive), e.g. `oneOf(["fifo", "lifo"], "fifo")`. */
export function oneOf<const V extends string>(
  values: readonly [V, ...V[]],
  defaultValue: NoInfer<V>,
): z.ZodDefault<z.ZodPipe<z.ZodString, z.ZodTransform<V, string>>>;
export function oneOf<const V extends string>(
  values: readonly [V, ...V[]],
): z.ZodPipe<z.ZodString, z.ZodTransform<V, string>>;
export function oneOf<const V extends string>(values: readonly [V, ...V[]], defaultValue?: NoInfer<V>) {
  const schema = field(`one of ${values.join(", ")}`, (raw) => {
    const trimmed = raw.trim();
    return (values as readonly string[]).includes(trimmed)
      ? { ok: true, value: trimmed as V }
      : { ok: false };
  });
  // The cast only tells zod that a V is never undefined; `defaultValue` is already checked against `values`.
  return defaultValue === undefined ? schema : schema.default(defaultValue as z.util.NoUndefined<V>);
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/** A boolean flag: true/false, 1/0, yes/no or on/off, any case. */
export function bool(defaultValue: boolean) {
  const schema = field("true or false (or 1/0, yes/no, on/off)", (raw) => {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, value: true };
    if (FALSE_WORDS.has(word)) return { ok: true, value: false };
    return { ok: false };
  });
  return schema.default(defaultValue);
}

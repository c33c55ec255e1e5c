import type { z } from "zod";
import { field } from "./field";

/**
 * An absolute URL (kept as the string given, trimmed). `protocols` restricts the scheme, e.g.
 * `["redis:", "rediss:"]`. Without a default the variable is required.
 */
export function url(
  defaultUrl: string,
  options?: { protocols?: readonly string[] },
): z.ZodDefault<z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>>;
export function url(
  defaultUrl?: undefined,
  options?: { protocols?: readonly string[] },
): z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>;
export function url(defaultUrl?: string, options: { protocols?: readonly string[] } = {}) {
  const { protocols } = options;
  const expected = protocols
    ? `a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`
    : "an absolute URL (e.g. https://host:port/path)";
  const schema = field(expected, (raw) => {
    const trimmed = raw.trim();
    if (!URL.canParse(trimmed)) return { ok: false };
    if (protocols && !protocols.includes(new URL(trimmed).protocol)) return { ok: false };
    return { ok: true, value: trimmed };
  });
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

import { field } from "./field";

/** Bounds and default of a numeric field. Without `default` the variable is required. */
export interface NumericOptions {
  min?: number;
  max?: number;
  default?: number;
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return "";
}

function numeric(kind: "an integer" | "a number", options: NumericOptions) {
  const { min, max } = options;
  // Number("") is 0 and Number("0x1F") is 31: accept only plain decimal notation.
  const pattern = kind === "an integer" ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const schema = field(`${kind}${rangeText(min, max)}`, (raw) => {
    const trimmed = raw.trim();
    if (!pattern.test(trimmed)) return { ok: false };
    const value = Number(trimmed);
    if (!Number.isFinite(value) || (kind === "an integer" && !Number.isSafeInteger(value)))
      return { ok: false };
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) return { ok: false };
    return { ok: true, value };
  });
  return schema;
}

/**
 * An integer variable, e.g. `integer({ min: 1, max: 500, default: 50 })`.
 * Without `default` it is required.
 */
export function integer(options: NumericOptions & { default: number }): ReturnType<typeof withDefault>;
export function integer(options?: NumericOptions): ReturnType<typeof numeric>;
export function integer(options: NumericOptions = {}) {
  const schema = numeric("an integer", options);
  return options.default === undefined ? schema : withDefault(schema, options.default);
}

/** A decimal number variable (e.g. a ratio or a price); same options as `integer`. */
export function number(options: NumericOptions & { default: number }): ReturnType<typeof withDefault>;
export function number(options?: NumericOptions): ReturnType<typeof numeric>;
export function number(options: NumericOptions = {}) {
  const schema = numeric("a number", options);
  return options.default === undefined ? schema : withDefault(schema, options.default);
}

/** A TCP port (0 lets the OS pick one, which tests use), with its default. */
export function port(defaultPort: number) {
  return withDefault(numeric("an integer", { min: 0, max: 65535 }), defaultPort);
}

function withDefault(schema: ReturnType<typeof numeric>, value: number) {
  return schema.default(value);
}

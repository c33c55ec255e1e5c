import type { z } from "zod";
import { ConfigError } from "./config-error";
import { type FieldMeta, fieldMeta, isFieldIssue } from "./field";
import { secretFromFile } from "./secret-files";

/** Environment-like input: apps pass `process.env`, tests pass a literal. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** A parsed configuration and the warnings to show at start (dev defaults in use). */
export interface LoadedConfig<T> {
  config: T;
  warnings: string[];
}

const MAX_SHOWN_CHARS = 60;

/**
 * Parses `source` with `schema` (keyed by env var name) and reports the dev defaults it used.
 * Empty strings count as unset, as `FOO=` in a .env file or compose file usually means "not set".
 * A secret or sensitive variable may instead be read from the file `<NAME>_FILE` names.
 * Production is `source.NODE_ENV === "production"`: there a missing secret is an error, and each
 * field's production check applies (no development defaults, short keys or plain-http endpoints).
 * Values of secret and sensitive variables never appear in the error.
 *
 * @throws {ConfigError} naming the first bad variable, in one line.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, source: EnvSource): LoadedConfig<z.output<S>> {
  const inProduction = source.NODE_ENV === "production";
  const input: Record<string, string | undefined> = {};
  const metas = new Map<string, FieldMeta>();
  const warnings: string[] = [];

  for (const [variable, fieldSchema] of Object.entries(schema.shape)) {
    const meta = fieldMeta(fieldSchema as z.core.$ZodType);
    metas.set(variable, meta);
    const fromFile = meta.secret || meta.sensitive ? secretFromFile(variable, source) : undefined;
    const raw = fromFile ?? (source[variable] === "" ? undefined : source[variable]);
    if (inProduction && meta.productionCheck) {
      const problem = meta.productionCheck(raw);
      if (problem) throw new ConfigError(variable, `${variable} ${problem}`);
    }
    if (raw === undefined && meta.secret) {
      if (inProduction) {
        throw new ConfigError(
          variable,
          `${variable} is required in production: ${meta.expected ?? "a secret"}`,
        );
      }
      if (meta.devDefault !== undefined) {
        input[variable] = meta.devDefault;
        warnings.push(`${variable} not set: using the development default (never use it in production)`);
        continue;
      }
    }
    input[variable] = raw;
  }

  const result = schema.safeParse(input);
  if (result.success) return { config: result.data, warnings };
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "configuration");
  throw new ConfigError(variable, describeIssue(variable, issue, input[variable], metas.get(variable) ?? {}));
}

/** `loadConfig` without the warnings, for callers (and tests) that do not print them. */
export function parseConfig<S extends z.ZodObject>(schema: S, source: EnvSource): z.output<S> {
  return loadConfig(schema, source).config;
}

function describeIssue(variable: string, issue: z.core.$ZodIssue, raw: string | undefined, meta: FieldMeta) {
  const oneLine = (text: string) => text.replace(/\s+/g, " ");
  if (raw === undefined) return oneLine(`${variable} is required: ${meta.expected ?? issue.message}`);
  const problem = isFieldIssue(issue) ? issue.message : `is invalid: ${issue.message}`;
  return oneLine(`${variable} ${problem} ${shown(raw, meta)}`);
}

function shown(raw: string, meta: FieldMeta): string {
  if (meta.secret) return "(got a secret value, not shown)";
  if (meta.sensitive) return "(value not shown: it may hold credentials)";
  const cut = raw.length > MAX_SHOWN_CHARS ? `${raw.slice(0, MAX_SHOWN_CHARS)}…` : raw;
  // JSON quoting escapes newlines, so the message stays one line whatever the value holds.
  return `(got ${JSON.stringify(cut)})`;
}

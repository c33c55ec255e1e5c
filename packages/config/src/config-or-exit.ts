import type { z } from "zod";
import { ConfigError } from "./config-error";
import { type EnvSource, loadConfig } from "./parse-config";

/** Where `configOrExit` writes and how it stops; injectable for tests. */
export interface ExitOptions {
  stderr?: { write(text: string): unknown };
  exit?: (code: number) => never;
}

/**
 * For an app's entry point: parses the config, prints dev-default warnings, and on a ConfigError
 * prints one line (`riskq: configuration error: …`) and exits with status 1 instead of a stack trace.
 * Other errors are bugs and propagate.
 */
export function configOrExit<S extends z.ZodObject>(
  schema: S,
  source: EnvSource,
  options: ExitOptions = {},
): z.output<S> {
  const stderr = options.stderr ?? process.stderr;
  return exitOnConfigError(() => {
    const { config, warnings } = loadConfig(schema, source);
    for (const warning of warnings) stderr.write(`riskq: warning: ${warning}\n`);
    return config;
  }, options);
}

/**
 * Runs a start-up step that may throw a ConfigError (reading a key file, say): on one, prints the
 * same single line as `configOrExit` and exits 1. Other errors are bugs and propagate.
 */
export function exitOnConfigError<T>(step: () => T, options: ExitOptions = {}): T {
  const stderr = options.stderr ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  try {
    return step();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`riskq: configuration error: ${error.message}\n`);
    return exit(1);
  }
}

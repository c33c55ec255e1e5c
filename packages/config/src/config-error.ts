/**
 * A configuration variable is missing or malformed. `message` is one line naming the variable and
 * what it expects, fit to print as-is when an app refuses to start; it never contains a secret's value.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(
    /** The environment variable at fault (the first one, when several are). */
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

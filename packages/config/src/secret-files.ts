import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error";
import type { EnvSource } from "./parse-config";

/**
 * The value of a secret (or sensitive) variable given as `<NAME>_FILE` (Docker and Kubernetes
 * secrets are files: a value in the environment shows in `docker inspect` and /proc). Returns the
 * file's content minus its trailing newline, or undefined when no `_FILE` variable is set.
 *
 * @throws {ConfigError} when both `<NAME>` and `<NAME>_FILE` are set, or the file cannot be read or
 *   is empty. The messages name the file's path, never its content.
 */
export function secretFromFile(
  variable: string,
  source: EnvSource,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): string | undefined {
  const fileVariable = `${variable}_FILE`;
  const path = source[fileVariable];
  if (path === undefined || path === "") return undefined;
  if (source[variable] !== undefined && source[variable] !== "") {
    throw new ConfigError(variable, `${variable} and ${fileVariable} are both set: set only one of them`);
  }
  let content: string;
  try {
    content = readFile(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = typeof code === "string" ? code : "unreadable";
    throw new ConfigError(
      fileVariable,
      `${fileVariable} must name a readable file holding ${variable} (${path}: ${why})`,
    );
  }
  // Editors and `echo` end files with a newline, which is never part of the secret.
  const value = content.replace(/\r?\n$/, "");
  if (value === "") throw new ConfigError(fileVariable, `${fileVariable} names an empty file (${path})`);
  return value;
}

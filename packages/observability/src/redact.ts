import { stdSerializers } from "pino";
import { maskFingerprint } from "./mask-fingerprint";
import { verdictOf } from "./sensitive-keys";

/** What a censored value is logged as. */
export const CENSORED = "[redacted]";

// Deeper than any job payload or HTTP error we log; past it a value is dropped rather than walked,
// so a secret can never hide below the limit.
const MAX_DEPTH = 10;
const TOO_DEEP = "[redacted: nested too deep]";

/**
 * Returns `value` with every secret censored and every card fingerprint masked, at any depth
 * (objects, arrays, Errors and their custom properties). pino's `redact.paths` would need one exact
 * path per place a secret may appear, and its wildcards cover one level only.
 *
 * Copy-on-write: objects without secrets are returned as they are (no allocation), and the
 * caller's objects are never modified — they are often live job data.
 *
 * Limitation: only keys are recognised. A secret inside a string (a message, a URL query, a
 * stringified body, `logger.info("token %s", t)`) is logged as is: never format secrets into text.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value, 0, new Set()) as T;
}

function walk(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  // A cycle would make the serializer print the original (unredacted) object: cut it here instead.
  if (ancestors.has(value)) return "[Circular]";

  let source: object = value;
  if (value instanceof Error) {
    // Serialise as pino would (type, message, stack, custom properties), then walk that.
    const serialised = stdSerializers.err(value) as unknown as Record<string, unknown>;
    source = Object.fromEntries(Object.keys(serialised).map((key) => [key, serialised[key]]));
    // ioredis errors carry the failed command with its arguments: the values being written, such
    // as whole job payloads (card fingerprints inside a JSON string, out of reach of the key rules).
    // The command's name is what a log needs.
    const command = (source as { command?: unknown }).command;
    if (isRedisCommand(command)) source = { ...source, command: { name: command.name, args: CENSORED } };
  } else if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    // JSON output is what toJSON returns (Date → string): redact that, not the object.
    const json = (value as { toJSON(): unknown }).toJSON();
    if (json === null || typeof json !== "object") return json;
    source = json;
  }

  ancestors.add(value);
  try {
    return Array.isArray(source) ? walkArray(source, depth, ancestors) : walkObject(source, depth, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function isRedisCommand(value: unknown): value is { name: unknown; args: unknown[] } {
  return (
    typeof value === "object" &&
    value !== null &&
    "name" in value &&
    Array.isArray((value as { args?: unknown }).args)
  );
}

function walkArray(array: unknown[], depth: number, ancestors: Set<object>): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const redacted = walk(item, depth + 1, ancestors);
    if (redacted !== item) {
      copy ??= array.slice();
      copy[i] = redacted;
    }
  }
  return copy ?? array;
}

function walkObject(object: object, depth: number, ancestors: Set<object>): object {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const item = (object as Record<string, unknown>)[key];
    let redacted: unknown;
    switch (verdictOf(key)) {
      case "censor":
        redacted = item === undefined ? item : CENSORED;
        break;
      case "mask":
        redacted = typeof item === "string" ? maskFingerprint(item) : item === undefined ? item : CENSORED;
        break;
      default:
        redacted = walk(item, depth + 1, ancestors);
    }
    if (redacted !== item) {
      copy ??= { ...object };
      copy[key] = redacted;
    }
  }
  return copy ?? object;
}

import { type DestinationStream, type LevelWithSilentOrString, type Logger as PinoLogger, pino } from "pino";
import { redactSecrets } from "./redact";

/**
 * The one logger type of riskq's code: pino's four levels, each taking the line's fields then its
 * message, or the message alone, and `child`, a logger that adds bindings to every line. Structural:
 * any pino logger fits. Code that calls only some levels takes a `Pick<Logger, …>` of them, so a
 * test's fake needs no more (and no `child`). The levels are methods, so a fake may declare just the
 * form it is called with (`warn: (message: string) => …`).
 */
export interface Logger {
  debug(fields: object | string, message?: string): void;
  info(fields: object | string, message?: string): void;
  warn(fields: object | string, message?: string): void;
  error(fields: object | string, message?: string): void;
  /** A logger whose lines carry `bindings` too (a component's or a job's name). */
  child(bindings: Record<string, unknown>): Logger;
}

/** Options of `createLogger`. */
export interface CreateLoggerOptions {
  /** The app or component, e.g. `sandbox`, `worker`. */
  name: string;
  /** pino level; default `info`. */
  level?: LevelWithSilentOrString;
  /** Where lines go; default stdout. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

/**
 * A pino logger that censors secrets (authorization headers, merchant tokens, AES and private keys,
 * riskq secrets) and masks card fingerprints wherever they appear in what is logged — the merged
 * object, errors, and the bindings of child loggers at any level.
 */
export function createLogger(options: CreateLoggerOptions): PinoLogger {
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? "info",
      formatters: { log: redactSecrets, bindings: redactSecrets },
      // `formatters.log` runs before serializers and has already serialised (and redacted) every
      // Error; pino's err serializer would re-read the plain result and report its type as "Object".
      serializers: { err: (value: unknown) => value },
    },
    options.destination,
  );
  // pino formats only the root's bindings: a child's bindings skip `formatters.bindings`. Children
  // are created with Object.create(parent), so replacing `child` on the root covers every descendant.
  const child = logger.child;
  logger.child = function redactedChild(this: PinoLogger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings), childOptions);
  } as PinoLogger["child"];
  const setBindings = logger.setBindings;
  logger.setBindings = function redactedSetBindings(this: PinoLogger, bindings) {
    setBindings.call(this, redactSecrets(bindings));
  };
  return logger;
}

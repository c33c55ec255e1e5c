import { type DestinationStream, type LevelWithSilentOrString, type Logger, pino } from "pino";
import { redactSecrets } from "./redact";

export type { Logger } from "pino";

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
export function createLogger(options: CreateLoggerOptions): Logger {
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
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings), childOptions);
  } as Logger["child"];
  const setBindings = logger.setBindings;
  logger.setBindings = function redactedSetBindings(this: Logger, bindings) {
    setBindings.call(this, redactSecrets(bindings));
  };
  return logger;
}

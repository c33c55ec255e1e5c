/** The logging the alerter needs; a pino logger fits. */
export interface AlertLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: AlertLogger = { info() {}, warn() {}, error() {} };

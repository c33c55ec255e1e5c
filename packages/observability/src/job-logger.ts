import type { Logger } from "pino";

/** Identity of one job, bound to every line logged while handling it. */
export interface JobLogContext {
  jobId: string;
  queue: string;
  merchantId?: string;
}

/** A child logger for one job (graphile-worker's `logger.scope({ jobId, … })`). */
export function jobLogger(logger: Logger, context: JobLogContext): Logger {
  const { jobId, queue, merchantId } = context;
  return logger.child(merchantId === undefined ? { jobId, queue } : { jobId, queue, merchantId });
}

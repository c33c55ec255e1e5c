import type { MaintenanceJobData } from "@riskq/pipeline";
import { markFailed, SpanKind, tracer } from "@riskq/tracing";
import type { Job } from "bullmq";

type Processor = (job: Job<MaintenanceJobData>) => Promise<unknown>;

/**
 * Runs each maintenance job inside a CONSUMER span of its own trace (README: Tracing), so the Alipay
 * calls it makes (token refreshes, key queries) are its children, not scattered roots. Only the
 * job's name and id are recorded: its return value holds merchant reports, kept on the job.
 */
export function traceMaintenance(processor: Processor): Processor {
  return (job) =>
    tracer.startActiveSpan(
      `process ${job.queueName}`,
      {
        kind: SpanKind.CONSUMER,
        root: true,
        attributes: {
          "messaging.system": "bullmq",
          "messaging.operation.type": "process",
          "messaging.destination.name": job.queueName,
          ...(job.id === undefined ? {} : { "messaging.message.id": job.id }),
          "riskq.maintenance.job": job.name,
        },
      },
      async (span) => {
        try {
          return await processor(job);
        } catch (err) {
          markFailed(span, err);
          throw err;
        } finally {
          span.end();
        }
      },
    );
}

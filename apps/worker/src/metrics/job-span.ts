import type { ScoreJobResult } from "@riskq/contracts";
import type { ScoreJobDataWithHistory } from "@riskq/pipeline";
import { contextFromCarrier, markFailed, SpanKind, type TraceCarrier, tracer } from "@riskq/tracing";
import { DelayedError, type Job } from "bullmq";

type ScoreJob = Job<ScoreJobDataWithHistory, ScoreJobResult>;
type Processor = (job: ScoreJob, token?: string) => Promise<ScoreJobResult>;

/**
 * Runs each attempt of a job inside a CONSUMER span ("process score", README: Tracing), a child of
 * the enqueue span whose context the job carries in `trace_context` — so the request, the enqueue,
 * every attempt and the Alipay call of the job's batch share one trace. Tracing off, the span is the
 * no-op one. Only the job id, merchant, attempt and how the job was decided are recorded.
 */
export function traceJobs(processor: Processor): Processor {
  return (job, token) =>
    tracer.startActiveSpan(
      `process ${job.queueName}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "bullmq",
          "messaging.operation.type": "process",
          "messaging.destination.name": job.queueName,
          ...(job.id === undefined ? {} : { "messaging.message.id": job.id }),
          ...merchantOf(job),
          "riskq.job.attempt": job.attemptsStarted,
        },
      },
      contextFromCarrier(carrierOf(job)),
      async (span) => {
        try {
          const result = await processor(job, token);
          span.setAttribute("riskq.job.source", result.source);
          if (result.degraded_reason) span.setAttribute("riskq.job.degraded_reason", result.degraded_reason);
          return result;
        } catch (err) {
          // A job waiting out a 429 or an open circuit in the delayed set has not failed.
          if (err instanceof DelayedError) span.addEvent("job delayed");
          else markFailed(span, err);
          throw err;
        } finally {
          span.end();
        }
      },
    );
}

/** The job's carried context, if well-formed: the data is checked by the processor, after this. */
function carrierOf(job: ScoreJob): TraceCarrier | undefined {
  const carried = (job.data as { trace_context?: unknown }).trace_context as
    | Partial<TraceCarrier>
    | undefined;
  if (typeof carried?.traceparent !== "string") return undefined;
  return typeof carried.tracestate === "string"
    ? { traceparent: carried.traceparent, tracestate: carried.tracestate }
    : { traceparent: carried.traceparent };
}

function merchantOf(job: ScoreJob): { "riskq.merchant_id"?: string } {
  const merchant = (job.data as { request?: { merchant_id?: unknown } }).request?.merchant_id;
  return typeof merchant === "string" ? { "riskq.merchant_id": merchant } : {};
}

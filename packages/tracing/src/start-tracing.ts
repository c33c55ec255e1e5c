import { DiagLogLevel, diag } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { Logger } from "@riskq/observability";
import type { TracingSettings } from "./tracing-settings";

/** The running tracer provider of an app, or the stand-in when tracing is off. */
export interface Tracing {
  readonly enabled: boolean;
  /** Exports the spans still buffered and stops; the app's shutdown awaits it (never throws). */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  /** From `tracingSettings`; undefined: tracing off. */
  settings: TracingSettings | undefined;
  /** Where the SDK's own errors go (a collector that refuses spans, say); silent without it. */
  logger?: Pick<Logger, "warn">;
}

const OFF: Tracing = { enabled: false, shutdown: async () => {} };

/**
 * Registers the global tracer provider (OTLP over HTTP, batched) with the AsyncLocalStorage context
 * manager and the W3C trace-context propagator. Off, it registers nothing: the OpenTelemetry API
 * stays on its no-op tracer and propagator, so the spans riskq's code starts cost next to nothing.
 * Call it first in main.ts, before anything starts a span.
 */
export function startTracing(options: StartTracingOptions): Tracing {
  const { settings, logger } = options;
  if (!settings) return OFF;
  if (logger) {
    diag.setLogger(
      {
        error: (message) => logger.warn({ component: "tracing" }, message),
        warn: (message) => logger.warn({ component: "tracing" }, message),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.WARN,
    );
  }
  const exporterConfig = { url: settings.url, headers: settings.headers };
  const exporter =
    settings.protocol === "http/json"
      ? new JsonExporter(exporterConfig)
      : new ProtobufExporter(exporterConfig);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      ...settings.resourceAttributes,
      "service.name": settings.serviceName,
    }),
    // Batched: a span costs the hot path a push onto a buffer, never a request of its own.
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown() {
      stopped ??= provider.shutdown().catch((err: unknown) => {
        logger?.warn({ component: "tracing", err }, "could not flush the last spans");
      });
      return stopped;
    },
  };
}

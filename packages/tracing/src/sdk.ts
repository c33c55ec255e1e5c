/**
 * The SDK side of @riskq/tracing, for the apps' main.ts only: reading the OTEL_* settings and
 * starting the exporter. Libraries import "@riskq/tracing" (the API side), which never loads the SDK.
 */
export * from "./start-tracing";
export * from "./tracing-settings";

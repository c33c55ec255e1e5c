/**
 * riskq's Prometheus metrics (prom-client): a registry per process, the metric definitions of each
 * area (names prefixed `riskq_`, listed in docs/metrics.md, "Metrics"), and a tiny `/metrics` server.
 */

export type { Registry } from "prom-client";
export * from "./alipay-call-metrics";
export * from "./bounded-label";
export * from "./budget-metrics";
export * from "./credential-metrics";
export * from "./decision-metrics";
export * from "./exposition";
export * from "./metrics-server";
export * from "./queue-metrics";
export * from "./registry";
export * from "./worker-metrics";

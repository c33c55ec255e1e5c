/**
 * riskq's Prometheus metrics (prom-client): a registry per process, the metric definitions of each
 * area (names prefixed `riskq_`, listed in the README), and a tiny `/metrics` server.
 */
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
export type { Registry } from "prom-client";

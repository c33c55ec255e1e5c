import {
  alipayCallMetrics,
  type CredentialSource,
  createMetricsRegistry,
  credentialMetrics,
  type Registry,
} from "@riskq/metrics";

/**
 * The scheduler's metrics (docs/metrics.md, "Metrics"): its own Alipay calls (token refresh, key fetches,
 * canaries; hand `onAlipayCall` to the client) and, read at scrape time, how long the merchant
 * tokens and the AES keys it keeps fresh have left.
 */
export function createSchedulerMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry: Registry = createMetricsRegistry({ defaultMetrics: options.defaultMetrics ?? true });
  const onAlipayCall = alipayCallMetrics(registry);
  return {
    registry,
    onAlipayCall,
    /** Exports the credential gauges of `alipay` (the client built with `onAlipayCall`), on its clock. */
    watchCredentials(alipay: CredentialSource, now: () => number): void {
      credentialMetrics(registry, { source: alipay, now });
    },
  };
}

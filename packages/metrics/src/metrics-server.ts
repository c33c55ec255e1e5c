import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@riskq/observability";
import type { Registry } from "prom-client";

export interface MetricsServerOptions {
  registry: Registry;
  /** Interface to bind (riskq default 127.0.0.1: only a local scraper or a sidecar reaches it). */
  host: string;
  /** 0 lets the OS pick one (tests). */
  port: number;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * A tiny HTTP server answering `GET /metrics` with the registry's text exposition, for processes
 * that have no HTTP server of their own (worker, scheduler). Anything else is a 404.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry } = options;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res
        .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
        .end("not found: try GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) =>
        res
          .writeHead(200, { "content-type": registry.contentType })
          .end(req.method === "HEAD" ? undefined : text),
      (err: unknown) =>
        res
          .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
          .end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  // Scrapes are short: don't let an idle keep-alive connection hold shutdown up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Starts the `/metrics` server of an app, or none when `port` is "off". A port that cannot be bound (taken by another process on the host) is logged as an error
 * and the process carries on without metrics: scoring matters more than its numbers, and the
 * scrape target going down is what alerts. Returns the server, or undefined when there is none.
 */
export async function serveMetrics(
  registry: Registry,
  options: { host: string; port: number | "off"; logger: Pick<Logger, "error"> },
): Promise<MetricsServer | undefined> {
  if (options.port === "off") return undefined;
  try {
    return await startMetricsServer({ registry, host: options.host, port: options.port });
  } catch (err) {
    options.logger.error(
      { err, host: options.host, port: options.port },
      "cannot serve /metrics (port taken?); running without metrics",
    );
    return undefined;
  }
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { spansFromProtobuf } from "./otlp-protobuf";
import { type ReceivedSpan, spansFromJson } from "./otlp-spans";

/** One export request as it arrived. */
interface ReceivedExport {
  contentType: string;
  body: Buffer;
  spans: ReceivedSpan[];
}

/** A collector stand-in: an OTLP/HTTP receiver on loopback that keeps every `POST /v1/traces`. */
export interface OtlpReceiver extends AsyncDisposable {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  url: string;
  readonly exports: readonly ReceivedExport[];
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 (a port of its own); it decodes both http/json and http/protobuf. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const contentType = req.headers["content-type"] ?? "";
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const json = contentType.startsWith("application/json");
      try {
        const spans = json ? spansFromJson(body.toString("utf8")) : spansFromProtobuf(body);
        exports.push({ contentType, body, spans });
      } catch {
        res.writeHead(400).end();
        return;
      }
      // An empty ExportTraceServiceResponse: full success, in the request's own encoding.
      if (json) res.writeHead(200, { "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    spans: () => exports.flatMap((e) => e.spans),
    close,
    [Symbol.asyncDispose]: close,
  };
}

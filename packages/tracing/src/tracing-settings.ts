import { ConfigError } from "@riskq/config";

/** How an app exports its spans, read from the standard OTEL_* variables (see `tracingSettings`). */
export interface TracingSettings {
  /** The resource's `service.name`: OTEL_SERVICE_NAME, else the app's own name. */
  serviceName: string;
  /** Further resource attributes (OTEL_RESOURCE_ATTRIBUTES). */
  resourceAttributes: Record<string, string>;
  protocol: OtlpProtocol;
  /** Where spans are POSTed: the traces endpoint as given, or the general one plus `/v1/traces`. */
  url: string;
  /** OTEL_EXPORTER_OTLP_HEADERS with OTEL_EXPORTER_OTLP_TRACES_HEADERS over them (e.g. an API key). */
  headers: Record<string, string>;
}

export const OTLP_PROTOCOLS = ["http/protobuf", "http/json"] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The spec's default collector address when tracing is asked for without an endpoint. */
const DEFAULT_ENDPOINT = "http://localhost:4318";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the OpenTelemetry SDK's standard variables from `env` (the app passes its process.env).
 * Tracing is off (undefined) unless OTEL_TRACES_EXPORTER says `otlp` or an OTLP endpoint is set, so
 * a deployment that never heard of OpenTelemetry pays nothing for it. Unsupported choices (gRPC, a
 * zipkin exporter…) are refused at start with a ConfigError rather than silently dropping spans.
 */
export function tracingSettings(env: Env, defaultServiceName: string): TracingSettings | undefined {
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  if (get("OTEL_SDK_DISABLED")?.toLowerCase() === "true") return undefined;
  const tracesEndpoint = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const endpoint = get("OTEL_EXPORTER_OTLP_ENDPOINT");
  const exporter = get("OTEL_TRACES_EXPORTER");
  if (exporter === undefined && tracesEndpoint === undefined && endpoint === undefined) return undefined;
  if (exporter === "none") return undefined;
  if (exporter !== undefined && exporter !== "otlp") {
    throw new ConfigError(
      "OTEL_TRACES_EXPORTER",
      `OTEL_TRACES_EXPORTER must be otlp or none (got ${exporter})`,
    );
  }

  const protocolVariable = get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = get(protocolVariable) ?? "http/protobuf";
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new ConfigError(
      protocolVariable,
      `${protocolVariable} must be http/protobuf or http/json (got ${protocol}; grpc is not bundled)`,
    );
  }

  const url = tracesEndpoint ?? `${(endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "")}/v1/traces`;
  const urlVariable = tracesEndpoint ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT";
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new ConfigError(urlVariable, `${urlVariable} must be an http(s) URL`);
  }

  const resourceAttributes = keyValueList(get("OTEL_RESOURCE_ATTRIBUTES"));
  return {
    serviceName: get("OTEL_SERVICE_NAME") ?? resourceAttributes["service.name"] ?? defaultServiceName,
    resourceAttributes,
    protocol: protocol as OtlpProtocol,
    url,
    headers: {
      ...keyValueList(get("OTEL_EXPORTER_OTLP_HEADERS")),
      ...keyValueList(get("OTEL_EXPORTER_OTLP_TRACES_HEADERS")),
    },
  };
}

/** The spec's `key1=value1,key2=value2` lists, values percent-decoded; malformed entries are skipped. */
function keyValueList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text?.split(",") ?? []) {
    const at = entry.indexOf("=");
    if (at <= 0) continue;
    const key = entry.slice(0, at).trim();
    try {
      out[key] = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      // A stray '%' in one value must not stop the app: that entry is left out.
    }
  }
  return out;
}

import { ConfigError } from "@riskq/config";
import { describe, expect, it } from "vitest";
import { tracingSettings } from "../src/tracing-settings";

describe("tracingSettings (the standard OTEL_* variables)", () => {
  it("is off without an exporter or an endpoint, with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED", () => {
    expect(tracingSettings({}, "riskq-api")).toBeUndefined();
    expect(
      tracingSettings({ OTEL_SERVICE_NAME: "x", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }, "a"),
    ).toBeUndefined();
    expect(
      tracingSettings({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }, "a"),
    ).toBeUndefined();
    expect(tracingSettings({ OTEL_SDK_DISABLED: "true", OTEL_TRACES_EXPORTER: "otlp" }, "a")).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: " " }, "a")).toBeUndefined();
  });

  it("turns on with OTEL_TRACES_EXPORTER=otlp, sending protobuf to the spec's default collector", () => {
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: "otlp" }, "riskq-worker")).toEqual({
      serviceName: "riskq-worker",
      resourceAttributes: {},
      protocol: "http/protobuf",
      url: "http://localhost:4318/v1/traces",
      headers: {},
    });
  });

  it("appends /v1/traces to the general endpoint, takes the traces endpoint as it is", () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }, "a")?.url).toBe(
      "http://collector:4318/v1/traces",
    );
    const both = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/custom",
    };
    expect(tracingSettings(both, "a")?.url).toBe("https://traces.example/custom");
  });

  it("takes the protocol, the traces-specific one first; grpc and unknown ones are refused", () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(tracingSettings({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }, "a")?.protocol).toBe(
      "http/json",
    );
    expect(
      tracingSettings(
        { ...on, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json" },
        "a",
      )?.protocol,
    ).toBe("http/json");
    expect(() => tracingSettings({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, "a")).toThrow(ConfigError);
    expect(() => tracingSettings({ OTEL_TRACES_EXPORTER: "zipkin" }, "a")).toThrow(/otlp or none/);
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, "a")).toThrow(
      ConfigError,
    );
  });

  it("names the service by OTEL_SERVICE_NAME, else OTEL_RESOURCE_ATTRIBUTES, else the app's default", () => {
    const on = { OTEL_TRACES_EXPORTER: "otlp" };
    const resource = {
      ...on,
      OTEL_RESOURCE_ATTRIBUTES: "service.name=from-resource,deployment.environment=prod",
    };
    expect(tracingSettings(resource, "riskq-api")).toMatchObject({
      serviceName: "from-resource",
      resourceAttributes: { "deployment.environment": "prod" },
    });
    expect(tracingSettings({ ...resource, OTEL_SERVICE_NAME: "edge-api" }, "riskq-api")?.serviceName).toBe(
      "edge-api",
    );
    expect(tracingSettings(on, "riskq-api")?.serviceName).toBe("riskq-api");
  });

  it("reads the headers lists, percent-decoded, the traces-specific ones over the general ones", () => {
    const settings = tracingSettings(
      {
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_HEADERS: "api-key=general,x-team=risk%20ops,broken",
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: "api-key=traces",
      },
      "a",
    );
    expect(settings?.headers).toEqual({ "api-key": "traces", "x-team": "risk ops" });
  });
});

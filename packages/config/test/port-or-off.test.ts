import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseConfig, portOrOff } from "../src/index";
import { configErrorOf } from "./support/config-error-of";

const schema = z.object({ WORKER_METRICS_PORT: portOrOff(9464) });

describe("portOrOff", () => {
  it("is the default when unset, a port when given (0 too), and off for off", () => {
    expect(parseConfig(schema, {})).toEqual({ WORKER_METRICS_PORT: 9464 });
    expect(parseConfig(schema, { WORKER_METRICS_PORT: "9500" })).toEqual({ WORKER_METRICS_PORT: 9500 });
    expect(parseConfig(schema, { WORKER_METRICS_PORT: "0" })).toEqual({ WORKER_METRICS_PORT: 0 });
    expect(parseConfig(schema, { WORKER_METRICS_PORT: " OFF " })).toEqual({ WORKER_METRICS_PORT: "off" });
  });

  it("names the variable and what it takes when the value is neither", () => {
    for (const bad of ["65536", "-1", "9464x", "none"]) {
      expect(configErrorOf(schema, { WORKER_METRICS_PORT: bad }).message).toContain(
        "WORKER_METRICS_PORT must be a port from 0 to 65535, or off",
      );
    }
  });
});

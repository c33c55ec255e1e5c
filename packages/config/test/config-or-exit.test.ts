import { describe, expect, it } from "vitest";
import { z } from "zod";
import { configOrExit, port, secret } from "../src/index";

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** A stderr that records writes and an exit that throws, as process.exit never returns. */
function harness() {
  const written: string[] = [];
  return {
    written,
    stderr: { write: (text: string) => written.push(text) },
    exit: (code: number): never => {
      throw new Exited(code);
    },
  };
}

const schema = z.object({
  SANDBOX_PORT: port(8787),
  RISKQ_API_KEYS: secret({ devDefault: "dev-api-key", describe: "comma-separated bearer keys of the API" }),
});

describe("configOrExit", () => {
  it("writes one prefixed line and exits 1 on a bad variable", () => {
    const io = harness();
    let exited: unknown;
    try {
      configOrExit(schema, { SANDBOX_PORT: "abc" }, io);
    } catch (error) {
      exited = error;
    }
    expect(exited).toBeInstanceOf(Exited);
    expect((exited as Exited).code).toBe(1);
    expect(io.written).toEqual([
      'riskq: configuration error: SANDBOX_PORT must be an integer from 0 to 65535 (got "abc")\n',
    ]);
  });

  it("exits 1 when production lacks a secret", () => {
    const io = harness();
    expect(() => configOrExit(schema, { NODE_ENV: "production" }, io)).toThrow(Exited);
    expect(io.written).toEqual([
      "riskq: configuration error: RISKQ_API_KEYS is required in production: comma-separated bearer keys of the API\n",
    ]);
  });

  it("returns the config and prints each dev-default warning", () => {
    const io = harness();
    const config = configOrExit(schema, { SANDBOX_PORT: "9000" }, io);
    expect(config).toEqual({ SANDBOX_PORT: 9000, RISKQ_API_KEYS: "dev-api-key" });
    expect(io.written).toEqual([
      "riskq: warning: RISKQ_API_KEYS not set: using the development default (never use it in production)\n",
    ]);
  });

  it("lets errors that are not configuration errors propagate", () => {
    const io = harness();
    const broken = z.object({
      BOOM: z.string().transform(() => {
        throw new TypeError("a bug");
      }),
    });
    expect(() => configOrExit(broken, { BOOM: "x" }, io)).toThrow(TypeError);
    expect(io.written).toEqual([]);
  });
});

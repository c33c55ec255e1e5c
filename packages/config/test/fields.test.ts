import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  bool,
  csv,
  field,
  integer,
  number,
  oneOf,
  parseConfig,
  port,
  riskqCommonEnv,
  url,
} from "../src/index";
import { configErrorOf } from "./support/config-error-of";

describe("field defaults", () => {
  it("fills every missing variable with its default", () => {
    const schema = z.object({
      SANDBOX_PORT: port(8787),
      BATCH_SIZE: integer({ min: 1, max: 500, default: 50 }),
      SAMPLE_RATIO: number({ min: 0, max: 1, default: 0.25 }),
      ALIPAY_ENDPOINT: url("http://127.0.0.1:8787"),
      RISKQ_ALERT_WEBHOOK_URLS: csv(),
      ORDER: oneOf(["fifo", "lifo"], "fifo"),
      DRY_RUN: bool(false),
    });
    const config = parseConfig(schema, {});
    expect(config).toEqual({
      SANDBOX_PORT: 8787,
      BATCH_SIZE: 50,
      SAMPLE_RATIO: 0.25,
      ALIPAY_ENDPOINT: "http://127.0.0.1:8787",
      RISKQ_ALERT_WEBHOOK_URLS: [],
      ORDER: "fifo",
      DRY_RUN: false,
    });
  });

  it("treats an empty string as unset", () => {
    expect(parseConfig(z.object({ SANDBOX_PORT: port(8787) }), { SANDBOX_PORT: "" })).toEqual({
      SANDBOX_PORT: 8787,
    });
  });

  it("decodes given values", () => {
    const schema = z.object({
      SANDBOX_PORT: port(8787),
      SAMPLE_RATIO: number({ default: 1 }),
      HOOKS: csv(),
      DRY_RUN: bool(false),
      ORDER: oneOf(["fifo", "lifo"]),
    });
    const config = parseConfig(schema, {
      SANDBOX_PORT: " 0 ",
      SAMPLE_RATIO: "1.5e-1",
      HOOKS: "https://a.example/x, https://b.example/y,",
      DRY_RUN: "YES",
      ORDER: "lifo",
    });
    expect(config).toEqual({
      SANDBOX_PORT: 0,
      SAMPLE_RATIO: 0.15,
      HOOKS: ["https://a.example/x", "https://b.example/y"],
      DRY_RUN: true,
      ORDER: "lifo",
    });
  });

  it("gives the shared riskq variables their contract defaults", () => {
    expect(parseConfig(riskqCommonEnv, {})).toEqual({
      REDIS_URL: "redis://127.0.0.1:6379",
      RISKQ_PREFIX: "{riskq}",
      NODE_ENV: "development",
      LOG_LEVEL: "info",
    });
  });

  it("ignores variables the schema does not name", () => {
    expect(parseConfig(z.object({ SANDBOX_PORT: port(1) }), { PATH: "/bin", HOME: "/root" })).toEqual({
      SANDBOX_PORT: 1,
    });
  });
});

describe("bad values give one line naming the variable", () => {
  const cases: Array<[string, z.ZodObject, Record<string, string>, string]> = [
    [
      "port",
      z.object({ SANDBOX_PORT: port(8787) }),
      { SANDBOX_PORT: "abc" },
      'SANDBOX_PORT must be an integer from 0 to 65535 (got "abc")',
    ],
    [
      "port out of range",
      z.object({ SANDBOX_PORT: port(8787) }),
      { SANDBOX_PORT: "65536" },
      'SANDBOX_PORT must be an integer from 0 to 65535 (got "65536")',
    ],
    [
      "hex is not decimal",
      z.object({ API_PORT: port(3000) }),
      { API_PORT: "0x10" },
      'API_PORT must be an integer from 0 to 65535 (got "0x10")',
    ],
    [
      "integer",
      z.object({ BATCH_SIZE: integer({ min: 1 }) }),
      { BATCH_SIZE: "2.5" },
      'BATCH_SIZE must be an integer of at least 1 (got "2.5")',
    ],
    [
      "number",
      z.object({ RATIO: number({ max: 1, default: 0 }) }),
      { RATIO: "1.01" },
      'RATIO must be a number of at most 1 (got "1.01")',
    ],
    [
      "url",
      z.object({ ALIPAY_ENDPOINT: url() }),
      { ALIPAY_ENDPOINT: "not a url" },
      'ALIPAY_ENDPOINT must be an absolute URL (e.g. https://host:port/path) (got "not a url")',
    ],
    [
      "url protocol",
      z.object({ QUEUE_URL: url("amqp://127.0.0.1", { protocols: ["amqp:", "amqps:"] }) }),
      { QUEUE_URL: "http://127.0.0.1:5672" },
      'QUEUE_URL must be a URL starting with amqp:// or amqps:// (got "http://127.0.0.1:5672")',
    ],
    [
      "redis url",
      riskqCommonEnv,
      { REDIS_URL: "http://127.0.0.1:6379" },
      // Never quoted: a Redis URL may carry its password.
      "REDIS_URL must be redis://host:port, rediss://…, or redis-cluster://host:port[,host:port…] (value not shown: it may hold credentials)",
    ],
    [
      "oneOf",
      riskqCommonEnv,
      { LOG_LEVEL: "verbose" },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ],
    [
      "bool",
      z.object({ DRY_RUN: bool(false) }),
      { DRY_RUN: "maybe" },
      'DRY_RUN must be true or false (or 1/0, yes/no, on/off) (got "maybe")',
    ],
    [
      "hash tag",
      riskqCommonEnv,
      { RISKQ_PREFIX: "riskq" },
      'RISKQ_PREFIX must be a key prefix containing a {hash tag}, e.g. {riskq} (got "riskq")',
    ],
    [
      "custom field",
      z.object({
        COLOUR: field("a hex colour", (raw) =>
          /^#[0-9a-f]{6}$/.test(raw) ? { ok: true, value: raw } : { ok: false },
        ),
      }),
      { COLOUR: "red" },
      'COLOUR must be a hex colour (got "red")',
    ],
    [
      "plain zod schema",
      z.object({ MODE: z.enum(["a", "b"]) }),
      { MODE: "c" },
      'MODE is invalid: Invalid option: expected one of "a"|"b" (got "c")',
    ],
  ];

  it.each(cases)("%s", (_kind, schema, source, message) => {
    const error = configErrorOf(schema, source);
    expect(error.message).toBe(message);
    expect(error.variable).toBe(message.split(" ")[0]);
    expect(error.message).not.toContain("\n");
  });

  it("names a missing required variable and what it expects", () => {
    const error = configErrorOf(
      z.object({ ALIPAY_APP_ID: field("an app id", (raw) => ({ ok: true, value: raw })) }),
      {},
    );
    expect(error.message).toBe("ALIPAY_APP_ID is required: an app id");
  });

  it("reports the first bad variable in schema order when several are bad", () => {
    const schema = z.object({ API_PORT: port(3000), SANDBOX_PORT: port(8787) });
    expect(configErrorOf(schema, { SANDBOX_PORT: "x", API_PORT: "y" }).variable).toBe("API_PORT");
  });

  it("keeps a multi-line or huge value on one short line", () => {
    const error = configErrorOf(z.object({ SANDBOX_PORT: port(8787) }), {
      SANDBOX_PORT: `12\n34${"9".repeat(500)}`,
    });
    expect(error.message).not.toContain("\n");
    expect(error.message.length).toBeLessThan(140);
    expect(error.message).toContain('(got "12\\n34');
  });
});

import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import {
  type CallbackDestinationPolicy,
  callbackUrlProblem,
  DEFAULT_DESTINATION_POLICY,
  DestinationRefused,
  guardedLookup,
  parseCallbackAllowListText,
  type ResolveAll,
  refusedAddressReason,
  resolvedCallbackUrlProblem,
} from "../src/index";

// Pure rules: nothing here opens a socket. Refusals are proven on addresses and URLs as text, and
// on a resolver stub standing in for DNS, so no test ever sends traffic to a private address.

function allowing(text: string, requireHttps = false): CallbackDestinationPolicy {
  const parsed = parseCallbackAllowListText(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return { allowList: parsed.value, requireHttps };
}

/** A resolver that answers `addresses` for every name, as DNS under an attacker's control might. */
const resolvesTo =
  (...addresses: string[]): ResolveAll =>
  (_host, _options, callback) =>
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 })),
    );

describe("refusedAddressReason", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["64:ff9b::7f00:1", "loopback"],
    ["10.0.0.1", "private (RFC 1918)"],
    ["172.16.0.1", "private (RFC 1918)"],
    ["172.31.255.255", "private (RFC 1918)"],
    ["192.168.1.1", "private (RFC 1918)"],
    ["::ffff:10.0.0.1", "private (RFC 1918)"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["168.63.129.16", "metadata"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["2002:7f00:1::", "6to4"],
    ["::7f00:1", "outside 2000::/3"], // IPv4-compatible ::127.0.0.1, what http://[::127.0.0.1]/ parses to
    ["::a00:1", "outside 2000::/3"],
    ["100::1", "discard"],
    ["4000::1", "outside 2000::/3"],
  ])("refuses %s (%s)", (address, what) => {
    expect(refusedAddressReason(address)).toContain(what);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "203.0.114.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("lets the public address %s through", (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });

  it("refuses what is not an IP address at all", () => {
    expect(refusedAddressReason("example.com")).toContain("not an IP address");
  });
});

describe("callbackUrlProblem (the URL alone)", () => {
  it.each([
    // Numeric spellings of 127.0.0.1: the WHATWG parser normalises them before the address check.
    "http://127.0.0.1:6379/",
    "http://0x7f000001:6379/",
    "http://2130706433/",
    "http://017700000001/",
    "http://127.1/",
    "http://0177.0.0.1/",
    "http://[::1]:6379/",
    "http://[::ffff:127.0.0.1]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://127.0.0.1./",
    "http://0x7f.1/",
    "http://%31%32%37.0.0.1/",
    "http://１２７.０.０.１/",
    "http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/",
    "http://localhost:6379/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://metadata.google.internal/",
    "http://10.0.0.1/",
    "http://0/",
  ])("refuses %s", (url) => {
    expect(callbackUrlProblem(url, DEFAULT_DESTINATION_POLICY)).toBeDefined();
  });

  it("refuses credentials in the URL and non-http schemes", () => {
    expect(callbackUrlProblem("https://user:pass@hooks.example.com/", DEFAULT_DESTINATION_POLICY)).toBe(
      "must not carry credentials (user:pass@)",
    );
    expect(callbackUrlProblem("https://token@hooks.example.com/", DEFAULT_DESTINATION_POLICY)).toBeDefined();
    expect(callbackUrlProblem("file:///etc/passwd", DEFAULT_DESTINATION_POLICY)).toBe("not an http(s) URL");
    expect(callbackUrlProblem("gopher://127.0.0.1:6379/", DEFAULT_DESTINATION_POLICY)).toBeDefined();
  });

  it("accepts a public name or address (its resolved address is judged at connect time)", () => {
    expect(callbackUrlProblem("https://hooks.example.com/riskq", DEFAULT_DESTINATION_POLICY)).toBeUndefined();
    expect(callbackUrlProblem("http://8.8.8.8/x", DEFAULT_DESTINATION_POLICY)).toBeUndefined();
  });

  it("opens exactly what the allow-list names: hosts by exact name, addresses by CIDR", () => {
    const policy = allowing("127.0.0.1, Hooks.Internal., 10.1.0.0/16, ::1");
    expect(callbackUrlProblem("http://127.0.0.1:9000/", policy)).toBeUndefined();
    expect(callbackUrlProblem("http://2130706433:9000/", policy)).toBeUndefined();
    expect(callbackUrlProblem("http://[::1]:9000/", policy)).toBeUndefined();
    expect(callbackUrlProblem("http://hooks.internal/", policy)).toBeUndefined();
    expect(callbackUrlProblem("http://10.1.2.3/", policy)).toBeUndefined();
    // Not named: still refused.
    expect(callbackUrlProblem("http://127.0.0.2/", policy)).toContain("loopback");
    expect(callbackUrlProblem("http://10.2.0.1/", policy)).toContain("private");
    expect(callbackUrlProblem("http://localhost/", policy)).toContain("local host");
  });

  it("requires https in production unless the host is explicitly allowed", () => {
    const production = allowing("hooks.internal,127.0.0.1", true);
    expect(callbackUrlProblem("http://hooks.example.com/", production)).toBe("must use https");
    expect(callbackUrlProblem("https://hooks.example.com/", production)).toBeUndefined();
    expect(callbackUrlProblem("http://hooks.internal/", production)).toBeUndefined();
    expect(callbackUrlProblem("http://127.0.0.1:9000/", production)).toBeUndefined();
  });
});

describe("RISKQ_CALLBACK_ALLOWED_HOSTS parsing", () => {
  it("takes hostnames, IPs and CIDRs, ignores blanks, and names a bad entry", () => {
    expect(parseCallbackAllowListText("").ok).toBe(true);
    expect(parseCallbackAllowListText(" a.example , 10.0.0.0/8, [::1], fd00::/8 ,").ok).toBe(true);
    expect(parseCallbackAllowListText("10.0.0.0/33")).toEqual({
      ok: false,
      message: '"10.0.0.0/33" is not a valid CIDR',
    });
    expect(parseCallbackAllowListText("http://a.example")).toMatchObject({ ok: false });
    expect(parseCallbackAllowListText("a b")).toMatchObject({ ok: false });
  });
});

describe("guardedLookup (the check on the address actually connected to)", () => {
  function lookupWith(resolve: ResolveAll, allow = "") {
    const lookup = guardedLookup(allowing(allow).allowList, resolve);
    return (all: boolean) =>
      new Promise<{ err: Error | null; result: unknown }>((settle) =>
        lookup("hooks.example.com", { all }, (err, result) => settle({ err, result })),
      );
  }

  it("refuses a name resolving to a refused address, also when one of several is", async () => {
    for (const addresses of [
      ["127.0.0.1"],
      ["169.254.169.254"],
      ["8.8.8.8", "10.0.0.1"],
      ["::ffff:127.0.0.1"],
    ]) {
      const { err } = await lookupWith(resolvesTo(...addresses))(true);
      expect(err).toBeInstanceOf(DestinationRefused);
      expect(err?.message).toMatch(/^hooks\.example\.com resolves to /);
    }
  });

  it("lets public addresses through, in the shape the connector asked for", async () => {
    const lookup = lookupWith(resolvesTo("8.8.8.8", "2606:4700:4700::1111"));
    expect(await lookup(false)).toEqual({ err: null, result: "8.8.8.8" });
    expect((await lookup(true)).result).toHaveLength(2);
  });

  it("lets an address inside an allowed CIDR through, and a named host whatever it resolves to", async () => {
    expect((await lookupWith(resolvesTo("10.1.2.3"), "10.1.0.0/16")(false)).err).toBeNull();
    expect((await lookupWith(resolvesTo("127.0.0.1"), "hooks.example.com")(false)).err).toBeNull();
    // Names match exactly: a parent domain opens no subdomain, and a subdomain no parent.
    expect((await lookupWith(resolvesTo("127.0.0.1"), "example.com")(false)).err).toBeInstanceOf(
      DestinationRefused,
    );
    expect((await lookupWith(resolvesTo("127.0.0.1"), "a.hooks.example.com")(false)).err).toBeInstanceOf(
      DestinationRefused,
    );
  });

  it("gives DNS errors back unchanged (a transient failure, not a refusal)", async () => {
    const failing: ResolveAll = (_h, _o, callback) =>
      callback(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }), []);
    const { err } = await lookupWith(failing)(false);
    expect(err).not.toBeInstanceOf(DestinationRefused);
    expect((err as NodeJS.ErrnoException).code).toBe("ENOTFOUND");
  });
});

describe("resolvedCallbackUrlProblem (the API's check)", () => {
  it("refuses a public-looking name that resolves to a refused address now", async () => {
    const problem = await resolvedCallbackUrlProblem(
      "https://hooks.example.com/",
      DEFAULT_DESTINATION_POLICY,
      {
        resolve: resolvesTo("169.254.169.254"),
      },
    );
    expect(problem).toBe(
      "hooks.example.com resolves to a refused address: 169.254.169.254 is a cloud metadata address",
    );
  });

  it("accepts a name that does not resolve or answers too slowly: delivery decides then", async () => {
    const failing: ResolveAll = (_h, _o, callback) => callback(new Error("ENOTFOUND"), []);
    const hanging: ResolveAll = () => undefined;
    const url = "https://hooks.example.com/";
    expect(
      await resolvedCallbackUrlProblem(url, DEFAULT_DESTINATION_POLICY, { resolve: failing }),
    ).toBeUndefined();
    expect(
      await resolvedCallbackUrlProblem(url, DEFAULT_DESTINATION_POLICY, { resolve: hanging, timeoutMs: 20 }),
    ).toBeUndefined();
  });
});

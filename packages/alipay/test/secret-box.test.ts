import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox } from "../src/index";

describe("SecretBox", () => {
  const box = new SecretBox(randomBytes(32));
  const name = "{riskq}:merchant:2088000000000001:token";

  it("opens what it sealed, and the sealed form hides the plaintext", () => {
    const plaintext = JSON.stringify({ accessToken: "at-secret-value", note: "商户 ✓" });
    const sealed = box.seal(plaintext, name);
    expect(sealed).not.toContain("at-secret-value");
    expect(box.open(sealed, name)).toBe(plaintext);
    // A fresh IV each time: equal plaintexts do not give equal records.
    expect(box.seal(plaintext, name)).not.toBe(sealed);
  });

  it("refuses a record moved under another key name", () => {
    const sealed = box.seal("tokens of merchant 1", name);
    expect(() => box.open(sealed, "{riskq}:merchant:2088000000000002:token")).toThrow();
  });

  it("refuses a record sealed under another secret key, or altered", () => {
    const sealed = box.seal("tokens", name);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, name)).toThrow();
    const [version, iv, tag, body] = sealed.split(".");
    const altered = Buffer.from(body!, "base64");
    altered[0]! ^= 1;
    expect(() => box.open([version, iv, tag, altered.toString("base64")].join("."), name)).toThrow();
  });

  it("insists on a 32-byte secret key", () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

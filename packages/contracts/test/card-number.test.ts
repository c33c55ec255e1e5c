import { describe, expect, it } from "vitest";
import { containsCardNumber, findCardNumber, passesLuhn } from "../src/card-number";

/** The plain definition the one-pass scanner must agree with: whole digit runs, grouped or not. */
function referenceContainsCardNumber(text: string): boolean {
  for (const match of text.matchAll(/\d(?:[ -]?\d)*/g)) {
    const digits = match[0].replace(/[ -]/g, "");
    if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) return true;
  }
  return false;
}

describe("card number detection", () => {
  it("finds Luhn-valid 13–19 digit numbers, plain or grouped, anywhere in a string", () => {
    expect(containsCardNumber("4111111111111111")).toBe(true);
    expect(containsCardNumber("card 4111 1111 1111 1111 used")).toBe(true);
    expect(containsCardNumber("4111-1111-1111-1111")).toBe(true);
    expect(containsCardNumber("x4012888888881881y")).toBe(true); // 16 digits, Visa test number
    expect(containsCardNumber("6011000990139424")).toBe(true);
  });

  it("leaves amounts, dates, short numbers and Luhn failures alone", () => {
    expect(containsCardNumber("128.50")).toBe(false);
    expect(containsCardNumber("2026-11-26T08:00:00Z")).toBe(false);
    expect(containsCardNumber("4111111111111112")).toBe(false);
    expect(containsCardNumber("411111111111")).toBe(false); // 12 digits
  });

  it("names the field holding one, at any depth, in keys and numbers too", () => {
    expect(findCardNumber({ items: [{ item_id: "a" }, { note: { text: "4111111111111111" } }] })).toBe(
      "items[1].note.text",
    );
    expect(findCardNumber({ meta: { "4111111111111111": true } })).toBe("meta.4111111111111111");
    expect(findCardNumber({ n: 4111111111111111 })).toBe("n");
    expect(findCardNumber({ a: "x", b: ["y"] })).toBeUndefined();
  });

  it("agrees with the plain regex-and-Luhn definition on 100 000 random strings of digits, spaces, dashes and letters", () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const alphabet = "0123456789012345678901234567890123456789  --xT:";
    let found = 0;
    for (let n = 0; n < 100_000; n++) {
      let text = "";
      const length = 1 + Math.floor(next() * 40);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      const expected = referenceContainsCardNumber(text);
      if (containsCardNumber(text) !== expected) throw new Error(`disagree on ${JSON.stringify(text)}`);
      if (expected) found += 1;
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(found).toBeGreaterThan(1_000);
  });

  it("accepts a 2088 partner id in merchant_id even when it happens to pass Luhn", () => {
    const partnerId = "2088000000000001"; // passes Luhn
    expect(containsCardNumber(partnerId)).toBe(true);
    expect(findCardNumber({ merchant_id: partnerId })).toBeUndefined();
    expect(findCardNumber({ item_id: partnerId })).toBe("item_id");
  });
});

import { describe, expect, it } from "vitest";
import { containsCardNumber, findCardNumber, passesLuhn } from "../src/card-number";

/**
 * The plain definition the one-pass scanner must agree with: letters and one-digit groups split the
 * text; in each piece, any span of whole digit groups (separated by anything) of 13–19 digits passing Luhn.
 */
function referenceContainsCardNumber(text: string): boolean {
  for (const piece of text.split(/[A-Za-z]|(?<!\d)\d(?!\d)/)) {
    const groups = piece.match(/\d+/g) ?? [];
    for (let i = 0; i < groups.length; i++) {
      let digits = "";
      for (let j = i; j < groups.length && digits.length <= 19; j++) {
        digits += groups[j];
        if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) return true;
      }
    }
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

  it.each([
    ["dots", "4111.1111.1111.1111"],
    ["slashes", "4111/1111/1111/1111"],
    ["underscores", "4111_1111_1111_1111"],
    ["two spaces", "4111  1111  1111  1111"],
    ["mixed runs", "4111 - 1111 -- 1111 / 1111"],
    ["a tab and a newline", "4111\t1111\n1111 1111"],
    ["full-width digits", "４１１１１１１１１１１１１１１１"],
    ["full-width digits and spaces", "４１１１　１１１１　１１１１　１１１１"],
    ["mathematical digits", "𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏"],
    ["percent-encoded spaces in a URL path", "https://hooks.example.com/cards/4111%201111%201111%201111"],
    ["percent-encoded digits", "/x/%34%31%31%31%31%31%31%31%31%31%31%31%31%31%31%31"],
    ["doubly percent-encoded", "/x/4111%25201111%25201111%25201111"],
    ["percent-encoded full-width digits", "/x/%EF%BC%94111111111111111"],
    ["a malformed escape next to it", "/x/%E0%A4%A/4111.1111.1111.1111"],
    ["an escape and a malformed one", "/x/%zz4111%2E1111%2E1111%2E1111"],
    ["followed by an expiry", "4111 1111 1111 1111 12/27"],
    ["Amex 4-6-5", "3782 822463 10005"],
    ["Diners 4-4-4-2", "3056 9309 0259 04"],
  ])("finds a card number written with %s", (_how, text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it("never throws on malformed percent escapes or lone surrogates", () => {
    for (const text of ["%", "%%", "%E0%A4%A", "100%", "\uD800%41", "%C0%AF", "%F0%9F%98"]) {
      expect(() => containsCardNumber(text)).not.toThrow();
    }
  });

  it("leaves lists of small numbers, versions and ids with letters between digit groups alone", () => {
    expect(containsCardNumber("1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16")).toBe(false);
    expect(containsCardNumber("risk-v3-2026-11")).toBe(false);
    expect(containsCardNumber("https://hooks.example.com/riskq/2026/11/20")).toBe(false);
    expect(containsCardNumber("ord4111x1111x1111x1111")).toBe(false);
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

  it("agrees with the plain regex-and-Luhn definition on 100 000 random strings of digits, separators and letters", () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const alphabet = "0123456789012345678901234567890123456789  --xT:._/,\t";
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

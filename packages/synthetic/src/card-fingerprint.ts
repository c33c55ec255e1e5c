import type { Rng } from "./rng";

const LETTERS = "abcdef";
// riskq refuses any field holding 13–19 consecutive digits that pass Luhn (a possible card
// number). About 1 random hex hash in 100 contains such a run, so runs stop at 12 digits.
const MAX_DIGIT_RUN = 12;
const DIGIT_RUN = new RegExp(`\\d{${MAX_DIGIT_RUN + 1},}`);

/** A card fingerprint: 64 lowercase hex characters, as a hash of a card would look. Never a card number. */
export function cardFingerprint(rng: Rng): string {
  let out = "";
  for (let i = 0; i < 8; i++) {
    out += Math.floor(rng.next() * 4294967296)
      .toString(16)
      .padStart(8, "0");
  }
  // Rare (~10%): break long digit runs by turning every 13th digit of a run into a letter.
  if (!DIGIT_RUN.test(out)) return out;
  let fixed = "";
  let run = 0;
  for (const ch of out) {
    const isDigit = ch <= "9";
    run = isDigit ? run + 1 : 0;
    if (run > MAX_DIGIT_RUN) {
      fixed += LETTERS[Math.floor(rng.next() * 6)];
      run = 0;
    } else fixed += ch;
  }
  return fixed;
}

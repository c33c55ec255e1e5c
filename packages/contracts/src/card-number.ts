/** true when a digit string passes the Luhn check that card numbers satisfy. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// What the first pass saw besides digits: whether a second look at a normalised form is needed.
const FOUND = 1;
const NON_ASCII = 2;
const PERCENT = 4;

/** Letters, digits and marks of any script (outside ASCII, checked only when such a character occurs). */
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/**
 * Does the text hold a card number: 13–19 digits passing Luhn? Digits may be grouped by any run of
 * separators (`4111.1111.1111.1111`, `4111/1111/…`, `4111_1111_…`, two spaces, a tab), as people
 * and forms write them. A letter ends a number. A span of whole groups counts, so a card number
 * followed by an expiry (`4111 1111 1111 1111 12/27`) is found; one-digit groups never join others
 * (lists like `1, 2, 3, …` would otherwise hold some 13-digit Luhn span far too often), and windows
 * inside one unbroken digit run do not count (testing those would flag one long id in ten).
 *
 * Full-width and other compatibility digits (Unicode NFKC) and percent-encoded text (`4111%201111…`,
 * also doubly encoded) are normalised first — but only when the text has such characters: the
 * common ASCII case is one pass without allocation, since this runs over every field of every call.
 */
export function containsCardNumber(text: string): boolean {
  const seen = scan(text);
  if (seen & FOUND) return true;
  if ((seen & (NON_ASCII | PERCENT)) === 0) return false;
  return normalisedHoldsCardNumber(text);
}

/** The normalised forms of a text, each scanned: NFKC, then up to 3 rounds of percent-decoding. */
function normalisedHoldsCardNumber(text: string): boolean {
  let current = text.normalize("NFKC");
  if (current !== text && scan(current) & FOUND) return true;
  for (let round = 0; round < 3 && current.includes("%"); round++) {
    const decoded = percentDecoded(current).normalize("NFKC");
    if (decoded === current) return false;
    if (scan(decoded) & FOUND) return true;
    current = decoded;
  }
  return false;
}

/**
 * Decodes %XX escapes without ever throwing: UTF-8 sequences when the whole text is well formed,
 * otherwise each valid escape on its own (a malformed `%E0%A4%A` or a stray `%` stays as it is).
 */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}

/**
 * One pass. At the end of each digit group the text is read backwards over whole groups (at most 19
 * digits, separators skipped) keeping the Luhn sum, and every span of 13–19 digits that starts at a
 * group's start is judged. Returns FOUND, or which normalisations could still reveal a number.
 */
function scan(text: string): number {
  let seen = 0;
  // Where the groups that may join the current one begin (after a letter or a one-digit group).
  let joinFrom = 0;
  // Digits since joinFrom: below 13 no span can be a card, and the backward read is skipped.
  let joinable = 0;
  let groupStart = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      if (groupStart < 0) groupStart = i;
      continue;
    }
    if (groupStart >= 0) {
      if (i - groupStart === 1) {
        joinFrom = i;
        joinable = 0;
      } else {
        joinable += i - groupStart;
        if (joinable >= 13 && spanEndingHereIsCard(text, joinFrom, i)) return FOUND;
      }
      groupStart = -1;
    }
    if (c === 37) seen |= PERCENT;
    if (c >= 128) {
      seen |= NON_ASCII;
      if (WORD_CHAR.test(text.charAt(i))) {
        joinFrom = i + 1;
        joinable = 0;
      }
    } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      joinFrom = i + 1;
      joinable = 0;
    }
  }
  return seen;
}

/** Reads back from `end` (exclusive) to `from`: is some span of whole groups a Luhn-valid 13–19 digits? */
function spanEndingHereIsCard(text: string, from: number, end: number): boolean {
  let digits = 0;
  let sum = 0;
  for (let j = end - 1; j >= from; j--) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) continue; // a separator
    let d = c - 48;
    if (digits % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    digits += 1;
    if (digits > 19) return false;
    const before = j > from ? text.charCodeAt(j - 1) : -1;
    const groupStarts = before < 48 || before > 57;
    if (groupStarts && digits >= 13 && sum % 10 === 0) return true;
  }
  return false;
}

/**
 * Alipay partner ids (2088 + 12 digits) are 16 digits and may pass Luhn by chance; no card range
 * starts with 2088, so a `merchant_id` of that shape is an id, not a card number.
 */
const isPartnerId = (path: string, text: string) =>
  /(^|\.)merchant_id$/.test(path) && /^2088\d{12}$/.test(text);

/**
 * The path of the first field (at any depth, keys included) that holds a card number, or undefined.
 * Card numbers are refused everywhere; card fingerprints (hashes) are what callers must send.
 */
export function findCardNumber(value: unknown, path = ""): string | undefined {
  const trail: Array<string | number> = [];
  if (!holdsCardNumber(value, trail, path)) return undefined;
  return pathOf(path, trail) || "(value)";
}

/**
 * Runs on every item of every call, so it allocates nothing while it finds nothing: `trail` holds the
 * keys and indexes walked so far, and a path string is only built for the field that is found.
 */
function holdsCardNumber(value: unknown, trail: Array<string | number>, root: string): boolean {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    const text = typeof value === "string" ? value : String(value);
    return containsCardNumber(text) && !isPartnerId(pathOf(root, trail), text);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      if (holdsCardNumber(value[i], trail, root)) return true;
      trail.pop();
    }
    return false;
  }
  if (value !== null && typeof value === "object") {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      trail.push(key);
      if (containsCardNumber(key) || holdsCardNumber((value as Record<string, unknown>)[key], trail, root)) {
        return true;
      }
      trail.pop();
    }
  }
  return false;
}

function pathOf(root: string, trail: ReadonlyArray<string | number>): string {
  let path = root;
  for (const step of trail) {
    if (typeof step === "number") path += `[${step}]`;
    else path = path ? `${path}.${step}` : step;
  }
  return path;
}

import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** What a key may do: `producer` enqueues and reads jobs; `operator` also runs the dead letters and onboards. */
export const API_KEY_ROLES = ["producer", "operator"] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** The merchants a key acts for: a list of merchant ids, or `"*"` for every merchant. */
export type MerchantScope = "*" | readonly string[];

const MERCHANT_ID = /^\d{16}$/;

// Names go into logs, job data and callback secrets: short, printable, and never mistaken for a key.
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const keyEntrySchema = z
  .strictObject({
    name: z
      .string()
      .regex(KEY_NAME, "must be 1–64 characters of A-Z a-z 0-9 _ . - (starting with a letter or digit)"),
    secret: z.string().min(1, "must not be empty").optional(),
    secret_sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters, the output of: printf %s "$KEY" | sha256sum')
      .optional(),
    role: z.enum(API_KEY_ROLES, 'must be "producer" or "operator"'),
    merchants: z.union(
      [z.literal("*"), z.array(z.string().regex(MERCHANT_ID, "must be a 16-digit merchant id")).min(1)],
      {
        error: 'must be "*" (every merchant) or a non-empty list of 16-digit merchant ids',
      },
    ),
  })
  .refine((entry) => (entry.secret === undefined) !== (entry.secret_sha256 === undefined), {
    message: "give exactly one of secret and secret_sha256",
    path: ["secret"],
  });

/** One entry of the key file as written: the secret in plain or as its sha256. */
export type ApiKeyEntry = z.output<typeof keyEntrySchema>;

const keyFileSchema = z.strictObject({
  keys: z
    .array(z.unknown(), "must be a list of keys: { name, secret | secret_sha256, role, merchants }")
    .min(1, "must hold at least one key"),
});

/**
 * True when a RISKQ_API_KEYS value is a key file (JSON, or YAML starting with `keys:`) rather than
 * the plain comma-separated list of keys. Keys themselves never start with `{` or `[` (see
 * `openssl rand -hex` in the README, "Environment variables"), and the list form stays what
 * `RISKQ_API_KEYS_FILE` held before key files.
 */
export function isKeyFile(text: string): boolean {
  const meaningful = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== "" && !line.startsWith("#"));
  // `[` too: a bare list of entries is a key file written wrongly, worth an error saying so.
  return meaningful !== undefined && (/^[[{]/.test(meaningful) || /^keys\s*:/.test(meaningful));
}

/** A problem with the key file, one line naming the entry and field; never quoting a value. */
export class KeyFileProblem extends Error {
  override readonly name = "KeyFileProblem";
}

/** `keys[2] ("billing").role`: where an issue is, by the entry's name when it has a readable one. */
function place(entries: readonly unknown[], path: readonly PropertyKey[]): string {
  const [index, ...rest] = path;
  if (typeof index !== "number") return "keys";
  const name = (entries[index] as { name?: unknown } | null)?.name;
  const named = typeof name === "string" && KEY_NAME.test(name) ? ` (${JSON.stringify(name)})` : "";
  const field = rest.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
  return `keys[${index}]${named}${field}`;
}

/**
 * Parses a key file's text (JSON or YAML) into its entries, checked with zod: each entry's fields,
 * names unique, secrets unique. The digests are not computed here: `apiKeyIdentities` does that.
 *
 * @throws {KeyFileProblem} naming the entry and field (`keys[1] ("billing").role must be …`).
 */
export function parseApiKeyFile(text: string): ApiKeyEntry[] {
  let document: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    document = parseYaml(text);
  } catch (err) {
    // The parser's message quotes the text around the error, which may be a secret: keep only where.
    const where = (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    const at = where ? ` at line ${where.line}, column ${where.col}` : "";
    throw new KeyFileProblem(`is not valid JSON or YAML${at}: fix the syntax there`);
  }
  const file = keyFileSchema.safeParse(document);
  if (!file.success) {
    const issue = file.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : 'the document (want { "keys": [ … ] })';
    throw new KeyFileProblem(`${where}: ${issue.message}`);
  }
  const raw = file.data.keys;
  const entries: ApiKeyEntry[] = [];
  for (const [index, item] of raw.entries()) {
    const parsed = keyEntrySchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      // Zod's messages name expectations and field names, never the input, so a secret stays unquoted.
      throw new KeyFileProblem(`${place(raw, [index, ...issue.path])} ${issue.message}`);
    }
    entries.push(parsed.data);
  }
  const byName = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const earlier = byName.get(entry.name);
    if (earlier !== undefined) {
      throw new KeyFileProblem(
        `${place(raw, [index, "name"])} repeats keys[${earlier}]'s: names must be unique`,
      );
    }
    byName.set(entry.name, index);
  }
  return entries;
}

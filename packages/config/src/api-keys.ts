import { createHash } from "node:crypto";
import { z } from "zod";
import {
  type ApiKeyEntry,
  type ApiKeyRole,
  isKeyFile,
  KeyFileProblem,
  type MerchantScope,
  parseApiKeyFile,
} from "./api-key-file";
import { envFields, field } from "./field";

/** The API's development key: with RISKQ_API_KEYS unset outside production, the API and the CLI use it. */
export const API_DEV_KEY = "dev-api-key";

/** In production, the fewest characters of a key given in plain. */
export const API_KEY_MIN_LENGTH = 32;

const HOW_TO_MAKE = "e.g. output of: openssl rand -hex 24";
const EXPECTED = `a key file (docs/security.md, "API keys and roles") or comma-separated bearer keys of ${API_KEY_MIN_LENGTH} characters or more, ${HOW_TO_MAKE}`;

/**
 * A key the API accepts, as the API keeps it: who it is and what it may do. The secret itself is
 * gone once the configuration is read; only its sha256 remains, to compare presented keys with.
 */
export interface ApiKeyIdentity {
  /** Names the key in audit lines, job records (`submitted_by`) and callback secrets; not secret. */
  name: string;
  role: ApiKeyRole;
  merchants: MerchantScope;
  /** sha256 of the key, hex (lower case). */
  secretSha256: string;
}

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * The name of a key given in the plain list (RISKQ_API_KEYS): `key-` and the first 12 hex digits of
 * its sha256 (compare with `printf %s "$KEY" | sha256sum`), as audit lines named keys before names.
 */
export const listedKeyName = (secret: string): string => `key-${sha256Hex(secret).slice(0, 12)}`;

/** Keys of the plain comma-separated list: each an operator for every merchant, as before roles. */
export function listedKeys(secrets: readonly string[]): ApiKeyIdentity[] {
  return secrets.map((secret) => ({
    name: listedKeyName(secret),
    role: "operator",
    merchants: "*",
    secretSha256: sha256Hex(secret),
  }));
}

function identityOf(entry: ApiKeyEntry): ApiKeyIdentity {
  return {
    name: entry.name,
    role: entry.role,
    merchants: entry.merchants === "*" ? "*" : [...new Set(entry.merchants)],
    secretSha256: entry.secret !== undefined ? sha256Hex(entry.secret) : entry.secret_sha256!.toLowerCase(),
  };
}

const splitList = (raw: string) =>
  raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

/** The keys of a RISKQ_API_KEYS value: a key file or the plain list. @throws {KeyFileProblem} */
export function parseApiKeys(raw: string): ApiKeyIdentity[] {
  const identities = isKeyFile(raw) ? parseApiKeyFile(raw).map(identityOf) : listedKeys(splitList(raw));
  if (identities.length === 0) throw new KeyFileProblem("holds no key: give at least one");
  const seen = new Map<string, string>();
  for (const identity of identities) {
    const other = seen.get(identity.secretSha256);
    // One secret under two names would leave it open which name (and role) a request has.
    if (other !== undefined) {
      throw new KeyFileProblem(
        `gives keys ${JSON.stringify(other)} and ${JSON.stringify(identity.name)} the same secret: give each key its own`,
      );
    }
    seen.set(identity.secretSha256, identity.name);
  }
  return identities;
}

/**
 * Why these keys must not serve in production, naming the entry but never the key: the development
 * key (public: it is in this repository) or a plain key shorter than API_KEY_MIN_LENGTH. Hashed
 * secrets are only checked against the development key; their length cannot be known.
 */
export function apiKeysProductionProblem(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined; // a missing secret is reported as required
  const devSha256 = sha256Hex(API_DEV_KEY);
  if (!isKeyFile(raw)) {
    const keys = splitList(raw);
    if (keys.includes(API_DEV_KEY))
      return `holds the development default, which is public: set your own in production (${HOW_TO_MAKE})`;
    if (keys.some((key) => key.length < API_KEY_MIN_LENGTH)) {
      return `must be at least ${API_KEY_MIN_LENGTH} characters each in production (${HOW_TO_MAKE})`;
    }
    return undefined;
  }
  let entries: ApiKeyEntry[];
  try {
    entries = parseApiKeyFile(raw);
  } catch {
    return undefined; // the decoder reports what is wrong with the file
  }
  for (const [index, entry] of entries.entries()) {
    const where = `key file: keys[${index}] (${JSON.stringify(entry.name)})`;
    const sha = entry.secret !== undefined ? sha256Hex(entry.secret) : entry.secret_sha256!.toLowerCase();
    if (sha === devSha256) return `${where} holds the development key, which is public: set its own secret`;
    if (entry.secret !== undefined && entry.secret.length < API_KEY_MIN_LENGTH) {
      return `${where}.secret must be at least ${API_KEY_MIN_LENGTH} characters in production (${HOW_TO_MAKE})`;
    }
  }
  return undefined;
}

/**
 * RISKQ_API_KEYS as the API reads it: the plain comma-separated list (operator keys for every
 * merchant) or a key file (entries with names, roles and merchants), in the variable or, as for every
 * secret, in the file `RISKQ_API_KEYS_FILE` names. Errors name the variable, the entry and the field,
 * never a key.
 */
function apiKeyRing() {
  const decoded = field(EXPECTED, (raw) => {
    try {
      return { ok: true, value: parseApiKeys(raw) };
    } catch (err) {
      if (!(err instanceof KeyFileProblem)) throw err;
      return { ok: false, message: `${isKeyFile(raw) ? "key file: " : ""}${err.message}` };
    }
  });
  // A fresh wrapper carries the secret's marks, as `secret()` does: never echoed, required in production.
  const schema = z.string().pipe(decoded);
  envFields.add(schema, {
    secret: true,
    sensitive: true,
    devDefault: API_DEV_KEY,
    expected: EXPECTED,
    productionCheck: apiKeysProductionProblem,
  });
  return schema;
}

/** The API's keys (and the CLI's default key): RISKQ_API_KEYS, or the key file RISKQ_API_KEYS_FILE. */
export const apiKeysEnv = z.object({ RISKQ_API_KEYS: apiKeyRing() });

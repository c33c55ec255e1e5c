import { createCipheriv, createDecipheriv } from "node:crypto";

// Alipay's content encryption (docs/alipay-ai-api.md §3): AES-128-CBC with an all-zero IV and PKCS#7 padding,
// base64 on the wire. The zero IV is the platform's choice, not ours; we reproduce it exactly.
const ZERO_IV = Buffer.alloc(16, 0);

function cipherName(key: Buffer): string {
  if (key.length === 16) return "aes-128-cbc";
  if (key.length === 24) return "aes-192-cbc";
  if (key.length === 32) return "aes-256-cbc";
  throw new Error(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
}

/** Encrypts UTF-8 plaintext; `aesKeyBase64` is the key as the key-management endpoint returns it. */
export function aesEncrypt(plaintext: string, aesKeyBase64: string): string {
  const key = Buffer.from(aesKeyBase64, "base64");
  const cipher = createCipheriv(cipherName(key), key, ZERO_IV);
  return Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}

/** Decrypts base64 ciphertext; throws when the key does not fit (bad padding). */
export function aesDecrypt(ciphertextBase64: string, aesKeyBase64: string): string {
  const key = Buffer.from(aesKeyBase64, "base64");
  const decipher = createDecipheriv(cipherName(key), key, ZERO_IV);
  return Buffer.concat([decipher.update(ciphertextBase64, "base64"), decipher.final()]).toString("utf8");
}

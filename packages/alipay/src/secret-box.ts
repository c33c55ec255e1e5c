import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";

/**
 * Encryption at rest for tokens and keys in Redis: AES-256-GCM under RISKQ_SECRET_KEY. The Redis
 * key name is bound as associated data, so a record copied under another merchant's key fails to open.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the secret key must be 32 bytes (RISKQ_SECRET_KEY, base64)");
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv).setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${VERSION}.${iv.toString("base64")}.${cipher.getAuthTag().toString("base64")}.${body.toString("base64")}`;
  }

  /** Throws when the record was tampered with, moved, or sealed under another secret key. */
  open(sealed: string, boundTo: string): string {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("not a sealed record");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"))
      .setAAD(Buffer.from(boundTo))
      .setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
  }
}

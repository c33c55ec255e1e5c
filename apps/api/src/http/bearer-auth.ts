import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "./api-error";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Checks `Authorization: Bearer <key>` against the configured keys in constant time. Keys are
 * compared as sha256 digests (equal lengths, so `timingSafeEqual` applies and the key's length does
 * not leak), and every configured key is compared, so the time does not tell which one matched.
 */
export function bearerAuth(keys: readonly string[]): (authorization: string | undefined) => void {
  const known = keys.filter((key) => key !== "").map(digest);
  if (known.length === 0) throw new Error("bearerAuth: at least one API key is required");
  return (authorization) => {
    const presented = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
    const candidate = digest(presented ?? "");
    let matched = false;
    for (const key of known) matched = timingSafeEqual(candidate, key) || matched;
    if (presented === undefined || !matched) {
      throw new ApiError(
        401,
        { error: "unauthorized", message: "send Authorization: Bearer <one of RISKQ_API_KEYS>" },
        { "www-authenticate": 'Bearer realm="riskq"' },
      );
    }
  };
}

/**
 * Names the key a request authenticated with, for audit lines, without revealing it: the first 12
 * hex digits of its sha256 (compare with `printf %s "$KEY" | sha256sum`).
 */
export function callerKeyId(authorization: string | undefined): string {
  const presented = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "")?.[1] ?? "";
  return digest(presented).toString("hex").slice(0, 12);
}

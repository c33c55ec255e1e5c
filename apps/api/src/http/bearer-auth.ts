import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyIdentity } from "@riskq/config";
import type { ApiCaller } from "./api-caller";
import { ApiError } from "./api-error";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Checks `Authorization: Bearer <key>` against the configured keys in constant time and answers who
 * the caller is. Keys are compared as sha256 digests (equal lengths, so `timingSafeEqual` applies and
 * the key's length does not leak), and every configured key is compared, so the time does not tell
 * which one matched.
 */
export function bearerAuth(
  keys: readonly ApiKeyIdentity[],
): (authorization: string | undefined) => ApiCaller {
  if (keys.length === 0) throw new Error("bearerAuth: at least one API key is required");
  const known = keys.map((key) => ({
    digest: Buffer.from(key.secretSha256, "hex"),
    caller: { name: key.name, role: key.role, merchants: key.merchants } satisfies ApiCaller,
  }));
  return (authorization) => {
    const presented = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
    const candidate = digest(presented ?? "");
    let matched: ApiCaller | undefined;
    for (const key of known) {
      const equal = timingSafeEqual(candidate, key.digest);
      matched = equal ? key.caller : matched;
    }
    if (presented === undefined || matched === undefined) {
      throw new ApiError(
        401,
        { error: "unauthorized", message: "send Authorization: Bearer <your API key (RISKQ_API_KEYS)>" },
        { "www-authenticate": 'Bearer realm="riskq"' },
      );
    }
    return matched;
  };
}

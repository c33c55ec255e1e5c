import { type AesKey, API_PATHS } from "@riskq/contracts";
import type { AlipaySdk } from "alipay-sdk";

/**
 * The AES key valid at `now` from the key-management endpoint. Picked by instant, never by position:
 * the list may hold the next key too, in either order.
 */
export async function currentAesKey(sdk: AlipaySdk, now: Date = new Date()): Promise<AesKey> {
  const res = await sdk.curl<{ keys: AesKey[] }>("POST", API_PATHS.keyQuery, { body: {} });
  const key = pickKeyAt(res.data.keys, now);
  if (key === undefined)
    throw new Error(`no AES key valid at ${now.toISOString()}: ${JSON.stringify(res.data)}`);
  return key;
}

/** The key with not_before ≤ at < expires_at (the latest such when two overlap). */
export function pickKeyAt(keys: readonly AesKey[], at: Date): AesKey | undefined {
  const t = at.getTime();
  return keys
    .filter((k) => Date.parse(k.not_before) <= t && t < Date.parse(k.expires_at))
    .sort((a, b) => Date.parse(b.not_before) - Date.parse(a.not_before))[0];
}

import { createHash, timingSafeEqual } from "node:crypto";

/** The one login of the dashboard (DASHBOARD_USER / DASHBOARD_PASSWORD). */
export interface Credentials {
  user: string;
  password: string;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * A checker of `Authorization: Basic …` against `expected`, in constant time: both sides are
 * hashed (equal lengths, so `timingSafeEqual` applies and no length leaks) and both the user and
 * the password are always compared, so the time tells neither which one was wrong nor how close.
 */
export function basicAuthChecker(expected: Credentials): (authorization: string | undefined) => boolean {
  const user = digest(expected.user);
  const password = digest(expected.password);
  return (authorization) => {
    const presented = parseBasic(authorization);
    const userMatches = timingSafeEqual(digest(presented?.user ?? ""), user);
    const passwordMatches = timingSafeEqual(digest(presented?.password ?? ""), password);
    return presented !== undefined && userMatches && passwordMatches;
  };
}

/** `Basic base64(user:password)` (RFC 7617; the password may itself contain colons). */
function parseBasic(header: string | undefined): Credentials | undefined {
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? "")?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

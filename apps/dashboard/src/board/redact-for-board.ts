import { CENSORED, redactSecrets } from "@riskq/observability";

/**
 * What Bull Board shows of a job's data, return value or progress: the value with the logs'
 * redaction applied (tokens, keys, passwords and callback secrets censored, card fingerprints masked
 * by `maskFingerprint`, at any depth — a dead letter's original request under `payload`, a callback
 * delivery's `body.dead_letter.payload`), and URL fields without their credentials, query values or
 * fragment, where webhook tokens usually travel.
 *
 * Limitation, as for the logs: only keys are recognised, not secrets written inside other strings.
 */
export function redactForBoard(value: unknown): unknown {
  return withoutUrlSecrets(redactSecrets(value));
}

// Key names are compared like the logs' sensitive keys: lower case, without `-` and `_`.
const isUrlKey = (key: string) => key.toLowerCase().replace(/[-_]/g, "").endsWith("url");

function withoutUrlSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUrlSecrets);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      typeof item === "string" && isUrlKey(key) ? urlWithoutSecrets(item) : withoutUrlSecrets(item),
    ]),
  );
}

/** `https://u:p@host/cb?token=abc#x` → `https://[redacted]@host/cb?token=[redacted]#[redacted]`. */
function urlWithoutSecrets(raw: string): string {
  if (!URL.canParse(raw)) return raw;
  const url = new URL(raw);
  if (url.username === "" && url.password === "" && url.search === "" && url.hash === "") return raw;
  const login = url.username !== "" || url.password !== "" ? `${CENSORED}@` : "";
  const names = [...new Set(url.searchParams.keys())];
  const query =
    names.length > 0 ? `?${names.map((name) => `${encodeURIComponent(name)}=${CENSORED}`).join("&")}` : "";
  const fragment = url.hash !== "" ? `#${CENSORED}` : "";
  return `${url.protocol}//${login}${url.host}${url.pathname}${query}${fragment}`;
}

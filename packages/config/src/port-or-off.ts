import { field } from "./field";

/**
 * A TCP port that may be switched off: a number (0 lets the OS pick one, which tests use) or `off`.
 * For optional listeners such as a metrics endpoint. (`off` stays the string "off": zod would
 * replace an `undefined` output with the default.)
 */
export function portOrOff(defaultPort: number) {
  return field<number | "off">("a port from 0 to 65535, or off", (raw) => {
    const trimmed = raw.trim().toLowerCase();
    if (trimmed === "off") return { ok: true, value: "off" };
    if (!/^\d+$/.test(trimmed)) return { ok: false };
    const value = Number(trimmed);
    return value <= 65_535 ? { ok: true, value } : { ok: false };
  }).default(defaultPort);
}

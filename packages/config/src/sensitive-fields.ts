import { z } from "zod";
import { envFields, fieldMeta } from "./field";

/**
 * Marks a field whose value may carry credentials (REDIS_URL's password, a webhook URL's token):
 * errors about it never quote the value, and it may be read from `<NAME>_FILE` like a secret. It
 * stays optional, unlike a secret. Wrap the field before `.default()`:
 *
 * @example sensitive(url()).default("redis://127.0.0.1:6379")
 */
export function sensitive<T>(inner: z.ZodType<T, string>): z.ZodPipe<z.ZodString, z.ZodType<T, string>> {
  // A fresh wrapper, so the caller's schema (maybe shared) is left unmarked.
  const schema = z.string().pipe(inner);
  envFields.add(schema, { sensitive: true, expected: fieldMeta(inner).expected });
  return schema;
}

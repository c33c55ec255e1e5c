import type { z } from "zod";
import { ConfigError, parseConfig } from "../../src/index";

/** The ConfigError thrown when parsing `source`, or a failure when none is. */
export function configErrorOf(schema: z.ZodObject, source: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(schema, source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

import type { z } from "zod";
import { errorFromAnswer } from "./answer-errors";
import type { ApiAnswer } from "./api-answer";
import { RiskqHttpError } from "./errors";

/** A 2xx answer's body in the documented shape, or a RiskqHttpError saying what riskq sent instead. */
export function bodyOf<T>(answer: ApiAnswer, schema: z.ZodType<T>): T {
  if (answer.status < 200 || answer.status > 299) throw errorFromAnswer(answer, 1);
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) {
    throw new RiskqHttpError(
      answer.status,
      undefined,
      `riskq answered ${answer.status} with a body of unexpected shape`,
    );
  }
  return parsed.data;
}

/** The API's own "no such thing" (404 `not_found`): a 404 from a wrong baseUrl must not look like one. */
export function isNotFound(answer: ApiAnswer): boolean {
  return answer.status === 404 && (answer.body as { error?: unknown } | undefined)?.error === "not_found";
}

/**
 * GET /openapi.json and /docs: the document is valid OpenAPI 3.1, its examples fit its schemas, and
 * the real API's answers (success and error, every route) are what it documents, checked by an
 * independent validator (ajv) rather than the zod schemas the document is built from.
 *
 * One test file, so that its last test sees every answer the others produced: the tests themselves are
 * in ./openapi, one file per concept, and run in the order below.
 */
import { expect, it } from "vitest";
import { deadLetterAnswerTests } from "./openapi/dead-letter-answers";
import { documentTests } from "./openapi/document";
import { useLiveAnswers } from "./openapi/live-answers";
import { merchantAnswerTests } from "./openapi/merchant-answers";
import { redisDownAnswerTests } from "./openapi/redis-down-answers";
import { scoreAnswerTests } from "./openapi/score-answers";
import { unauthenticatedAnswerTests } from "./openapi/unauthenticated-answers";

const live = useLiveAnswers();

documentTests(live);
scoreAnswerTests(live);
deadLetterAnswerTests(live);
merchantAnswerTests(live);
unauthenticatedAnswerTests(live);
redisDownAnswerTests(live);

// Last, over what the tests above saw (vitest runs a file's tests in order): a documented status no
// test produced is either dead documentation or an untested answer.
it("every documented status of every route was produced by a test above (500, a bug's answer, aside)", () => {
  const documented = Object.entries(live.document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, op]) =>
      Object.keys(op.responses).map((status) => `${method.toUpperCase()} ${path} ${status}`),
    ),
  );
  const unseen = documented.filter((key) => !live.answers.seen.has(key) && !key.endsWith(" 500"));
  expect(unseen).toEqual([]);
});

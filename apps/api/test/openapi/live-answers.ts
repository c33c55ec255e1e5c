/**
 * What the OpenAPI tests of ../openapi.test.ts share: each test's API (with workers, and the keys and
 * Alipay outcomes the answers need), the document as the running API serves it, and `call`, which
 * checks a live answer against that document and remembers which documented statuses were seen.
 */
import { createHash } from "node:crypto";
import { AuthCodeOfAnotherMerchant, InvalidRequest, UpstreamError } from "@riskq/alipay";
import { type ApiKeyIdentity, listedKeys } from "@riskq/config";
import type { LightMyRequestResponse } from "fastify";
import { beforeAll, expect } from "vitest";
import type { MerchantOnboarding } from "../../src/routes/merchants";
import {
  API_KEY,
  AUTH,
  MERCHANT_ID,
  type ScoreJob,
  scoredResult,
  startApi,
  startTestWorker,
  useApiWithWorkers,
} from "../support/api-harness";
import { documentedAnswers, type OpenApiDocument } from "../support/documented-answers";

export const OTHER_MERCHANT = "2088000000000002";
const PRODUCER_KEY = "producer-key-0123456789abcdef0123456789";
const LIMITED_OPERATOR_KEY = "ops-m1-key-0123456789abcdef0123456789ab";
const identity = (name: string, secret: string, role: "producer" | "operator"): ApiKeyIdentity => ({
  name,
  role,
  merchants: [MERCHANT_ID],
  secretSha256: createHash("sha256").update(secret).digest("hex"),
});
export const PRODUCER = { authorization: `Bearer ${PRODUCER_KEY}` };
export const LIMITED_OPERATOR = { authorization: `Bearer ${LIMITED_OPERATOR_KEY}` };

// Alipay's side of onboarding, by auth code: the API's answers to each of its outcomes.
const alipay: MerchantOnboarding = {
  onboardMerchant: async (merchantId, authCode) => {
    if (authCode === "used-code")
      throw new InvalidRequest("the auth code is invalid or already used", "auth_code");
    if (authCode === "other-merchants-code") throw new AuthCodeOfAnotherMerchant(merchantId);
    if (authCode === "upstream-down") throw new UpstreamError("Alipay answered 502");
    return { expiresAt: Date.parse("2027-01-01T00:00:00Z") };
  },
};

export interface Call {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

export const jobId = (itemId: string) => `${MERCHANT_ID}-${itemId}`;

export type LiveAnswers = ReturnType<typeof useLiveAnswers>;

/** Sets the test file up (its hooks): call it once, at the top of the file, and pass it to each concept. */
export function useLiveAnswers() {
  const ctx = useApiWithWorkers({
    metrics: true,
    alipay,
    apiKeys: [
      ...listedKeys([API_KEY]),
      identity("checkout", PRODUCER_KEY, "producer"),
      identity("ops-m1", LIMITED_OPERATOR_KEY, "operator"),
    ],
  });

  let document: OpenApiDocument;
  let answers: ReturnType<typeof documentedAnswers>;

  // The document as the running API serves it, read once (the first test's API is as good as any).
  beforeAll(async () => {
    const kit = await startApi({ prefix: "{openapi-document}" });
    try {
      const served = await kit.app.inject({ method: "GET", url: "/openapi.json" });
      expect(served.statusCode).toBe(200);
      document = served.json();
    } finally {
      await kit.close();
    }
    answers = documentedAnswers(document);
  });

  /** Sends `call` to the test's API and checks the answer against the document's `path` (a template). */
  async function call(
    path: string,
    { method, url, headers = AUTH, payload }: Call,
  ): Promise<LightMyRequestResponse> {
    const answer = await ctx.kit.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined
        ? {}
        : typeof payload === "string"
          ? { payload }
          : { payload: payload as object }),
    });
    answers.check(method, path, answer);
    return answer;
  }

  return {
    ctx,
    /** The served document (read before the first test). */
    get document(): OpenApiDocument {
      return document;
    },
    /** The checker of live answers, with every (method, path, status) it has seen so far. */
    get answers(): ReturnType<typeof documentedAnswers> {
      return answers;
    },
    call,
    /** From now on a test worker completes this test's jobs with a low-risk score. */
    completeJobs() {
      ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => scoredResult(job.data.request));
    },
  };
}

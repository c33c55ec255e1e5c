import type { ScoreRequestBody } from "@riskq/contracts";

/** One job as `POST /v1/scores/batch` answers it. */
export interface EnqueuedJob {
  id: string;
  item_id: string;
  status: string;
  duplicate: boolean;
}

/** An answer other than the one expected (its status tells a 503 worth retrying from a real error). */
export class ApiAnswerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiAnswerError";
  }
}

/**
 * The few calls of riskq's HTTP API the end-to-end tests make, over plain fetch: what a service
 * would send, with nothing in between that could hide a wrong answer.
 */
export class RiskqApi {
  constructor(
    readonly url: string,
    private readonly apiKey: string,
  ) {}

  /** `POST /v1/merchants`: exchanges a one-time auth code for tokens stored in Redis for the workers. */
  async onboardMerchant(merchantId: string, authCode: string): Promise<void> {
    await this.post("/v1/merchants", { merchant_id: merchantId, auth_code: authCode }, 201);
  }

  /** `POST /v1/scores/batch` (at most 1 000 items): the jobs in request order. */
  async enqueueBatch(items: readonly ScoreRequestBody[]): Promise<EnqueuedJob[]> {
    const body = await this.post<{ jobs: EnqueuedJob[] }>("/v1/scores/batch", { items }, 202);
    return body.jobs;
  }

  /** `POST /v1/dead-letters/redrive` of every dead letter of a reason: the ids sent back to `score`. */
  async redriveDeadLetters(reason: string): Promise<string[]> {
    const body = await this.post<{ redriven: string[] }>("/v1/dead-letters/redrive", { reason }, 200);
    return body.redriven;
  }

  private async post<T>(path: string, body: unknown, expected: number): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== expected) {
      throw new ApiAnswerError(
        res.status,
        `POST ${path} answered ${res.status} (expected ${expected}): ${text.slice(0, 500)}`,
      );
    }
    return JSON.parse(text) as T;
  }
}

/** POST /v1/merchants (onboarding): every answer, as documented. */
import { describe, expect, it } from "vitest";
import { AUTH, MERCHANT_ID } from "../support/api-harness";
import { LIMITED_OPERATOR, type LiveAnswers, OTHER_MERCHANT, PRODUCER } from "./live-answers";

export function merchantAnswerTests(live: LiveAnswers): void {
  const { call } = live;
  describe("merchants: live answers are the documented ones", () => {
    const onboard = (authCode: string, headers: Record<string, string> = AUTH, merchantId = MERCHANT_ID) =>
      call("/v1/merchants", {
        method: "POST",
        url: "/v1/merchants",
        headers,
        payload: { merchant_id: merchantId, auth_code: authCode },
      });

    it("201 onboarded; 400 for unusable codes and fields; 401; 403; 502 when Alipay fails", async () => {
      expect((await onboard("fresh-code")).statusCode).toBe(201);
      expect((await onboard("used-code")).json()).toMatchObject({ error: "invalid_auth_code" });
      expect((await onboard("other-merchants-code")).json()).toMatchObject({
        error: "auth_code_of_another_merchant",
      });
      expect((await onboard("")).json()).toMatchObject({ error: "invalid_request" });
      expect((await onboard("4111111111111111")).json()).toMatchObject({ error: "pan_not_allowed" });
      expect((await onboard("fresh-code", {})).statusCode).toBe(401);
      expect((await onboard("fresh-code", PRODUCER)).json()).toMatchObject({
        error: "forbidden",
        required_role: "operator",
      });
      expect((await onboard("fresh-code", LIMITED_OPERATOR, OTHER_MERCHANT)).json()).toMatchObject({
        error: "forbidden",
        field: "merchant_id",
      });
      expect((await onboard("upstream-down")).statusCode).toBe(502);
      const text = { ...AUTH, "content-type": "application/xml" };
      expect(
        (await call("/v1/merchants", { method: "POST", url: "/v1/merchants", headers: text, payload: "x" }))
          .statusCode,
      ).toBe(415);
      const big = JSON.stringify({ merchant_id: MERCHANT_ID, auth_code: "x".repeat(1_100_000) });
      const json = { ...AUTH, "content-type": "application/json" };
      expect(
        (await call("/v1/merchants", { method: "POST", url: "/v1/merchants", headers: json, payload: big }))
          .statusCode,
      ).toBe(413);
    });
  });
}

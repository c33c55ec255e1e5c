import type { TokenResponse } from "@riskq/contracts";
import { API_PATHS } from "@riskq/contracts";
import type { AlipaySdk } from "alipay-sdk";
import type { SandboxProcess } from "./sandbox-process";

export interface OnboardedMerchant {
  merchantId: string;
  appAuthToken: string;
  appRefreshToken: string;
  tokens: TokenResponse;
}

/** Registers a merchant in the sandbox and exchanges its one-time code for tokens, as a client would. */
export async function onboardMerchant(
  sandbox: Pick<SandboxProcess, "control">,
  sdk: AlipaySdk,
  merchantId?: string,
): Promise<OnboardedMerchant> {
  const { merchant_id, auth_code } = await sandbox.control.createMerchant(merchantId);
  const res = await sdk.curl<TokenResponse>("POST", API_PATHS.authToken, {
    body: { grant_type: "authorization_code", code: auth_code },
  });
  return {
    merchantId: merchant_id,
    appAuthToken: res.data.app_auth_token,
    appRefreshToken: res.data.app_refresh_token,
    tokens: res.data,
  };
}

import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { API_PATHS, type ScoreResult, type TokenResponse } from "@riskq/contracts";
import { createSdk, currentAesKey } from "@riskq/testing";
import {
  aesDecrypt,
  aesEncrypt,
  authString,
  requestSigningContent,
  rsaSign,
  rsaSignAsync,
  rsaVerifyAsync,
} from "@riskq/wire";
import { describe, expect, it } from "vitest";
import { itemsOf, MODEL, onboard, useClientKit } from "./support/harness";

/** alipay-sdk's own crypto helpers; its package "exports" hide util.js, so load it by file path. */
interface SdkUtil {
  aesEncryptText(plainText: string, aesKey: string): string;
  aesDecryptText(encryptedText: string, aesKey: string): string;
  signatureV3(signString: string, appPrivateKey: string): string;
}
const require = createRequire(import.meta.url);
const sdkUtil = require(join(dirname(require.resolve("alipay-sdk")), "util.js")) as SdkUtil;

// [name, body, its UTF-8 length when that length matters (a whole number of AES blocks)]
const BODIES: Array<[string, string, number | undefined]> = [
  ["empty", "", 0],
  ["ascii JSON", '{"task":"card_risk","items":[]}', undefined],
  ["exactly 16 bytes", "0123456789abcdef", 16],
  ["exactly 32 bytes", "0123456789abcdef0123456789abcdef", 32],
  ["non-ASCII", '{"note":"商户 — déjà vu ✓"}', undefined],
  ["non-ASCII, exactly 16 bytes", "风控模型a商", 16],
  ["non-ASCII, exactly 48 bytes", "商户风控模型评分商户风控模型评分", 48],
];

describe("wire compatibility with alipay-sdk", () => {
  it.each(BODIES)(
    "AES: %s body gives the SDK's ciphertext, and each side decrypts the other's",
    (_, body, length) => {
      if (length !== undefined) expect(Buffer.byteLength(body, "utf8")).toBe(length);
      for (let i = 0; i < 3; i++) {
        const key = randomBytes(16).toString("base64");
        const ours = aesEncrypt(body, key);
        const theirs = sdkUtil.aesEncryptText(body, key);
        expect(ours).toBe(theirs);
        expect(aesDecrypt(theirs, key)).toBe(body);
        expect(sdkUtil.aesDecryptText(ours, key)).toBe(body);
      }
    },
  );

  describe("against a sandbox", () => {
    const suite = useClientKit();

    it("RSA2: rsaSign and rsaSignAsync equal the SDK's signatureV3 for the same string to sign", async () => {
      const auth = authString({
        appId: suite.sandbox.appId,
        nonce: "5f1c0e6e-0000-4000-8000-000000000001",
        timestamp: "1764115200000",
      });
      for (const body of ["", '{"grant_type":"authorization_code","code":"c-1"}', "商户 ✓"]) {
        const content = requestSigningContent({
          auth,
          method: "POST",
          pathWithQuery: API_PATHS.batchPredict,
          body,
          appAuthToken: "token-for-signing",
        });
        const theirs = sdkUtil.signatureV3(content, suite.sandbox.appPrivateKey);
        expect(rsaSign(content, suite.sandbox.appPrivateKey)).toBe(theirs);
        expect(await rsaSignAsync(content, suite.sandbox.appPrivateKey)).toBe(theirs);
      }
    });

    it("RSA2: rsaVerifyAsync accepts the SDK's signature and refuses another content or a garbled one", async () => {
      const content = requestSigningContent({
        auth: authString({ appId: suite.sandbox.appId, nonce: "n-1", timestamp: "1764115200000" }),
        method: "POST",
        pathWithQuery: API_PATHS.batchPredict,
        body: "{}",
      });
      const signature = sdkUtil.signatureV3(content, suite.sandbox.appPrivateKey);
      const publicKey = suite.sandbox.appPublicKey;
      expect(await rsaVerifyAsync(content, signature, publicKey)).toBe(true);
      expect(await rsaVerifyAsync(`${content}x`, signature, publicKey)).toBe(false);
      expect(await rsaVerifyAsync(content, "not base64 at all!", publicKey)).toBe(false);
    });

    it("the same calls through alipay-sdk curl() and through the client get the same answers", async () => {
      const { merchantId, items } = itemsOf(8, 10);
      const request = { task: "card_risk", model_version: MODEL, items };

      // 1. The official SDK: token exchange, key query, batch/predict.
      const sdk = createSdk(suite.sandbox);
      const { auth_code } = await suite.sandbox.control.createMerchant(merchantId);
      const grant = await sdk.curl<TokenResponse>("POST", API_PATHS.authToken, {
        body: { grant_type: "authorization_code", code: auth_code },
      });
      const key = await currentAesKey(sdk);
      const viaSdk = await createSdk(suite.sandbox, { encryptKey: key.aes_key }).curl<{
        model_version: string;
        results: ScoreResult[];
        billing: unknown;
      }>("POST", API_PATHS.batchPredict, {
        body: request,
        needEncrypt: true,
        appAuthToken: grant.data.app_auth_token,
      });
      const sdkLedger = await suite.sandbox.control.ledger();

      // 2. The same calls through our client, after a reset (same seed → same answers).
      await suite.sandbox.reset();
      const client = suite.kit.client();
      await onboard(suite.sandbox, client, merchantId);
      const viaClient = await client.scoreBatch({
        merchantId,
        task: "card_risk",
        modelVersion: MODEL,
        items,
      });
      const clientLedger = await suite.sandbox.control.ledger();

      expect(viaSdk.data.results).toHaveLength(10);
      expect(viaClient.missing).toBeUndefined();
      expect(viaClient.outcomes.map((o) => ("result" in o ? o.result : o.missing))).toEqual(
        viaSdk.data.results,
      );
      expect(viaClient.modelVersion).toBe(viaSdk.data.model_version);
      expect(viaClient.billing).toEqual(viaSdk.data.billing);
      // Same calls on the wire: one grant, one key query, one billed batch, all 200.
      expect(clientLedger).toEqual(sdkLedger);
    });
  });
});

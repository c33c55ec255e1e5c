/**
 * Answers the client must refuse even when their signature verifies (issue 14): a body past the
 * size cap, and a signed timestamp far from now (a recorded answer played back). A tiny local
 * server signs its answers with a platform key made for the test.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { responseSigningContent, rsaSign } from "@riskq/wire";
import { afterEach, describe, expect, it } from "vitest";
import { ResponseInvalid } from "../src/index";
import { ANSWER_MAX_SKEW_MS } from "../src/wire/answer-freshness";
import { MAX_ANSWER_BYTES } from "../src/wire/http-exchange";
import { signedCall } from "../src/wire/signed-call";

const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** Serves one signed JSON answer of `body`, stamped `signedAt`. */
async function serve(body: string, signedAt: () => string): Promise<string> {
  server = createServer((_req, res) => {
    const timestamp = signedAt();
    const nonce = randomUUID();
    res.writeHead(200, {
      "content-type": "application/json",
      "alipay-timestamp": timestamp,
      "alipay-nonce": nonce,
      "alipay-signature": rsaSign(responseSigningContent(timestamp, nonce, body), platform.privateKey),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const call = (endpoint: string) =>
  signedCall(
    {
      endpoint,
      appId: "2021000000000001",
      appPrivateKey: app.privateKey,
      platformPublicKey: platform.publicKey,
    },
    { operation: "test", method: "GET", path: "/v3/test", timeoutMs: 10_000 },
  );

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );

describe("answer limits", () => {
  it("accepts a fresh, signed answer of ordinary size", async () => {
    const endpoint = await serve('{"ok":true}', () => String(Date.now()));
    expect((await call(endpoint)).json).toEqual({ ok: true });
  });

  it("refuses a signed body over the cap as ResponseInvalid without reading it all", async () => {
    const body = JSON.stringify({ pad: "x".repeat(MAX_ANSWER_BYTES) });
    const endpoint = await serve(body, () => String(Date.now()));
    const error = await failureOf(call(endpoint));
    expect(error).toBeInstanceOf(ResponseInvalid);
    expect((error as Error).message).toContain(`exceeds ${MAX_ANSWER_BYTES} bytes`);
  });

  it.each([
    ["old", -(ANSWER_MAX_SKEW_MS + 60_000)],
    ["ahead", ANSWER_MAX_SKEW_MS + 60_000],
  ])("refuses a correctly signed answer stamped 6 minutes %s as ResponseInvalid", async (word, skew) => {
    const endpoint = await serve('{"ok":true}', () => String(Date.now() + skew));
    const error = await failureOf(call(endpoint));
    expect(error).toBeInstanceOf(ResponseInvalid);
    expect((error as Error).message).toContain(`alipay-timestamp is 6 min ${word}`);
  });

  it("accepts an answer stamped 4 minutes off (clocks drift)", async () => {
    const endpoint = await serve('{"ok":true}', () => String(Date.now() - 4 * 60_000));
    expect((await call(endpoint)).json).toEqual({ ok: true });
  });
});

/**
 * The bench baseline: a bare node:http server doing only the cryptography every encrypted
 * batch/predict call costs — RSA-verify the request, AES-decrypt it, parse it, answer a fixed-shape
 * result per item, AES-encrypt and RSA-sign the answer — and nothing else (no checks, no model, no
 * state). The sandbox's speed is judged against it (sandbox-speed.ts), so what the sandbox costs
 * beyond this is its own logic.
 *
 * Env: BENCH_KEYS_DIR (the sandbox's keys directory: app-public.pem, platform-private.pem) and
 * BENCH_AES_KEY (base64). Prints `{"event":"listening","url":…}` like the sandbox.
 */
import { createPrivateKey, createPublicKey, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { join } from "node:path";
import {
  aesDecrypt,
  aesEncrypt,
  parseAuthorization,
  requestSigningContent,
  responseSigningContent,
  rsaSign,
  rsaVerify,
} from "@riskq/wire";
import { BENCH_MODEL_VERSION } from "./scorer";

const keysDir = requiredEnv("BENCH_KEYS_DIR");
const aesKey = requiredEnv("BENCH_AES_KEY");
// Parsed once, as the sandbox does: PEM parsing per call would dwarf the signature itself.
const appPublicKey = createPublicKey(readFileSync(join(keysDir, "app-public.pem"), "utf8"));
const platformPrivateKey = createPrivateKey(readFileSync(join(keysDir, "platform-private.pem"), "utf8"));

const BILLING = {
  call_fee: "0.0100",
  item_fees: "0.0050",
  review_fees: "0.0000",
  total: "0.0150",
  currency: "USD",
};
const REJECTED = JSON.stringify({ code: "invalid-signature", message: "signature verification failed" });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const auth = parseAuthorization(req.headers.authorization);
    const token = req.headers["alipay-app-auth-token"];
    const content =
      auth &&
      requestSigningContent({
        auth: `app_id=${auth.appId},nonce=${auth.nonce},timestamp=${auth.timestamp}`,
        method: req.method ?? "",
        pathWithQuery: req.url ?? "",
        body,
        appAuthToken: typeof token === "string" ? token : undefined,
      });
    if (!auth || !content || !rsaVerify(content, auth.sign, appPublicKey)) return send(res, 400, REJECTED);

    let items: { item_id: string }[];
    try {
      items = (JSON.parse(aesDecrypt(body, aesKey)) as { items: { item_id: string }[] }).items;
    } catch {
      return send(res, 400, REJECTED);
    }
    // One info code per item: the sandbox's answers carry 1.1 on average, and the client's
    // (slow, crypto-js) decryption must get bodies of about the same size from both servers.
    const results = items.map((item) => ({
      item_id: item.item_id,
      confidence: 0.1234,
      risk_score: 12,
      risk_level: "low",
      flagged: false,
      info_code: ["AMOUNT_OUTLIER"],
    }));
    const answer = JSON.stringify({ model_version: BENCH_MODEL_VERSION, results, billing: BILLING });
    send(res, 200, aesEncrypt(answer, aesKey), "text/plain; charset=utf-8");
  });
});

/** Signed exactly as the sandbox signs (docs/alipay-ai-api.md §2), so the SDK accepts it. */
function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "application/json; charset=utf-8",
) {
  const timestamp = String(Date.now());
  const nonce = randomUUID();
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "alipay-trace-id": randomUUID().replaceAll("-", ""),
    "alipay-timestamp": timestamp,
    "alipay-nonce": nonce,
    "alipay-signature": rsaSign(responseSigningContent(timestamp, nonce, body), platformPrivateKey),
  });
  res.end(body);
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`bare-server: ${name} is not set (this process is started by sandbox-speed.ts)\n`);
    process.exit(2);
  }
  return value;
}

server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: "listening", url: `http://127.0.0.1:${port}` })}\n`);
});
// Stdin closes when the orchestrator goes away, however it went: never outlive it.
process.stdin.on("end", () => process.exit(0)).resume();
process.once("SIGTERM", () => process.exit(0));
process.once("SIGINT", () => process.exit(0));

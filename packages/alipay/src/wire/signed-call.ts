import { type KeyObject, randomUUID } from "node:crypto";
import { apiErrorBodySchema } from "@riskq/contracts";
import {
  aesDecrypt,
  aesEncrypt,
  authString,
  formatAuthorization,
  requestSigningContent,
  responseSigningContent,
  rsaSignAsync,
  rsaVerifyAsync,
} from "@riskq/wire";
import { type CallContext, classifyRemoteError } from "../errors/classify-remote-error";
import { ResponseInvalid } from "../errors/response-invalid";
import { Timeout } from "../errors/timeout";
import { UpstreamError } from "../errors/upstream-error";
import { staleAnswerReason } from "./answer-freshness";
import { AnswerTooLarge, exchange, type HttpAnswer } from "./http-exchange";

/** Who we are and whom we trust: the app's RSA key signs, the platform's verifies answers. */
export interface WireIdentity {
  endpoint: string;
  appId: string;
  appPrivateKey: KeyObject;
  platformPublicKey: KeyObject;
}

export interface SignedCallRequest extends CallContext {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  appAuthToken?: string | undefined;
  /** Base64 AES key: encrypts the body and decrypts a 200 answer (docs/alipay-ai-api.md §3). */
  aesKey?: string | undefined;
  /** Every call has a deadline: the caller's signal, or `timeoutMs`, whichever ends first. */
  signal?: AbortSignal | undefined;
  timeoutMs: number;
}

export interface SignedCallResponse {
  status: number;
  /** A response header by lower-case name. */
  header: HttpAnswer["header"];
  /** Parsed (and decrypted) JSON of a 200 answer. */
  json: unknown;
  traceId: string | undefined;
  latencyMs: number;
}

/**
 * One Alipay OpenAPI v3 call with node:crypto (RSA2 + AES-128-CBC), byte-compatible with
 * alipay-sdk's `curl()` but with response headers, an AbortSignal and native AES. Every answer,
 * error or not, must carry a valid platform signature; non-200 answers become typed errors.
 */
export async function signedCall(
  identity: WireIdentity,
  req: SignedCallRequest,
): Promise<SignedCallResponse> {
  const plaintext = req.body === undefined ? "" : JSON.stringify(req.body);
  const body = req.aesKey ? aesEncrypt(plaintext, req.aesKey) : plaintext;
  const nonce = randomUUID();
  // Request timestamps are checked against the server's real time, so this is real time too.
  const timestamp = String(Date.now());
  const auth = authString({ appId: identity.appId, nonce, timestamp });
  const sign = await rsaSignAsync(
    requestSigningContent({
      auth,
      method: req.method,
      pathWithQuery: req.path,
      body,
      appAuthToken: req.appAuthToken,
    }),
    identity.appPrivateKey,
  );
  const headers: Record<string, string> = {
    authorization: formatAuthorization({ appId: identity.appId, nonce, timestamp, sign }),
    accept: "application/json",
  };
  if (req.body !== undefined) headers["content-type"] = req.aesKey ? "text/plain" : "application/json";
  if (req.aesKey) {
    headers["alipay-encrypt-type"] = "AES";
    headers["alipay-encryption-algm"] = "AES";
  }
  if (req.appAuthToken !== undefined) headers["alipay-app-auth-token"] = req.appAuthToken;

  const deadline = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  const started = performance.now();
  let res: HttpAnswer;
  try {
    res = await exchange({
      method: req.method,
      url: new URL(identity.endpoint + req.path),
      headers,
      body: req.method === "POST" ? body : undefined,
      signal,
    });
  } catch (err) {
    if (err instanceof AnswerTooLarge) {
      throw new ResponseInvalid(`${req.operation}: ${err.message}`, { cause: err });
    }
    if (signal.aborted) throw new Timeout(req.operation, deadline.aborted ? req.timeoutMs : undefined, err);
    throw new UpstreamError(
      `${req.operation}: cannot reach Alipay at ${identity.endpoint} (${describe(err)})`,
      {
        cause: err,
      },
    );
  }
  const latencyMs = performance.now() - started;
  const raw = res.body;
  const traceId = res.header("alipay-trace-id");

  const signedAt = res.header("alipay-timestamp");
  const responseNonce = res.header("alipay-nonce");
  const signature = res.header("alipay-signature");
  if (
    !signedAt ||
    !responseNonce ||
    !signature ||
    !(await rsaVerifyAsync(
      responseSigningContent(signedAt, responseNonce, raw),
      signature,
      identity.platformPublicKey,
    ))
  ) {
    throw new ResponseInvalid(
      `${req.operation}: the response signature does not verify with the platform key`,
      {
        httpStatus: res.status,
      },
    );
  }
  const stale = staleAnswerReason(signedAt);
  if (stale) throw new ResponseInvalid(`${req.operation}: ${stale}`, { httpStatus: res.status });

  if (res.status !== 200) {
    const parsed = apiErrorBodySchema.safeParse(parseJson(raw));
    throw classifyRemoteError(res.status, parsed.success ? parsed.data : undefined, req);
  }

  let text = raw;
  if (req.aesKey) {
    try {
      text = aesDecrypt(raw, req.aesKey);
    } catch (err) {
      throw new ResponseInvalid(`${req.operation}: the 200 body does not decrypt with the call's AES key`, {
        cause: err,
      });
    }
  }
  const json = parseJson(text);
  if (json === undefined) throw new ResponseInvalid(`${req.operation}: the 200 body is not JSON`);
  return { status: res.status, header: res.header, json, traceId, latencyMs };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The network error's code (ECONNREFUSED, ECONNRESET…), else its message. */
function describe(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string") return code;
  return err instanceof Error ? err.message : String(err);
}

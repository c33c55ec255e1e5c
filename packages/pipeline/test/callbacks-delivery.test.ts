import { createHmac } from "node:crypto";
import type { ScoreJobResult } from "@riskq/contracts";
import { afterEach, describe, expect, it } from "vitest";
import {
  CALLBACK_HEADERS,
  type CallbackDestinationPolicy,
  CallbackFailed,
  callbackDeliveryId,
  callbackSecretFor,
  completedDelivery,
  deliverCallback,
  parseCallbackAllowListText,
  type ResolveAll,
  signCallback,
  verifyCallback,
} from "../src/index";
import { type CallbackReceiver, startCallbackReceiver } from "./fixtures/callback-receiver";

const SECRET = "test-callback-secret-0123456789";

/** A destination policy opening what RISKQ_CALLBACK_ALLOWED_HOSTS would (receivers run on 127.0.0.1). */
function policy(allowed: string, resolve?: ResolveAll): CallbackDestinationPolicy {
  const parsed = parseCallbackAllowListText(allowed);
  if (!parsed.ok) throw new Error(parsed.message);
  return { allowList: parsed.value, requireHttps: false, ...(resolve ? { resolve } : {}) };
}
const OPTS = { secret: SECRET, destinations: policy("127.0.0.1") };
const RESULT: ScoreJobResult = {
  item_id: "item-1",
  source: "remote",
  confidence: 0.91,
  risk_score: 88,
  risk_level: "high",
  flagged: true,
  info_code: ["velocity"],
  model_version: "risk-v3-2026-11",
  cost_usd: 0.0042,
  attempts: 1,
};

const receivers: CallbackReceiver[] = [];
async function receiver(answer?: Parameters<typeof startCallbackReceiver>[1]) {
  const r = await startCallbackReceiver(SECRET, answer);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** The failure a delivery ended with (it must fail). */
async function failureOf(promise: Promise<unknown>): Promise<CallbackFailed> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CallbackFailed);
  return err as CallbackFailed;
}

describe("deliverCallback", () => {
  it("POSTs the result as JSON with the event, job id, timestamp and a signature receivers can verify", async () => {
    const r = await receiver();
    const outcome = await deliverCallback(completedDelivery("2088-item-1", r.url, RESULT), {
      ...OPTS,
      now: () => 1_764_000_000_000,
    });

    expect(outcome).toEqual({ status: 200 });
    const [got] = r.received;
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers[CALLBACK_HEADERS.event]).toBe("completed");
    expect(got?.headers[CALLBACK_HEADERS.jobId]).toBe("2088-item-1");
    expect(got?.headers[CALLBACK_HEADERS.timestamp]).toBe("1764000000000");
    expect(got?.body).toEqual({
      id: "2088-item-1",
      event: "completed",
      result: RESULT,
      delivered_at: 1_764_000_000_000,
    });
    // A job of no key (written before keys had names) is signed with the master secret itself.
    expect(got?.headers[CALLBACK_HEADERS.submittedBy]).toBeUndefined();
    expect(got?.headers[CALLBACK_HEADERS.signature]).toBe(
      signCallback(SECRET, 1_764_000_000_000, r.url, got!.rawBody),
    );
    // The receiver's check: right with the shared secret, its URL and the fresh timestamp...
    const received = {
      timestamp: "1764000000000",
      signature: String(got?.headers[CALLBACK_HEADERS.signature]),
      url: r.url,
    };
    expect(verifyCallback(SECRET, { ...received, rawBody: got!.rawBody }, { now: 1_764_000_060_000 })).toBe(
      true,
    );
    // ...wrong for another secret, an altered body, or a replay long after.
    expect(
      verifyCallback(
        "another-secret-0123456789",
        { ...received, rawBody: got!.rawBody },
        { now: 1_764_000_060_000 },
      ),
    ).toBe(false);
    const altered = got!.rawBody.replace('"risk_score":88', '"risk_score":8');
    expect(verifyCallback(SECRET, { ...received, rawBody: altered }, { now: 1_764_000_060_000 })).toBe(false);
    expect(
      verifyCallback(SECRET, { ...received, rawBody: got!.rawBody }, { now: 1_764_000_000_000 + 3_600_000 }),
    ).toBe(false);
  });

  it("signs a key's job with that key's derived secret and the URL: another key's secret or URL fails", async () => {
    const r = await receiver();
    const delivery = completedDelivery("2088-item-1", r.url, RESULT, "checkout");
    await deliverCallback(delivery, { ...OPTS, now: () => 1_764_000_000_000 });

    const [got] = r.received;
    expect(got?.headers[CALLBACK_HEADERS.submittedBy]).toBe("checkout");
    // The owner's secret, as `riskq callbacks secret checkout` prints it: HMAC(master, "riskq-callback:checkout").
    const checkoutSecret = createHmac("sha256", SECRET).update("riskq-callback:checkout").digest("hex");
    expect(callbackSecretFor(SECRET, "checkout")).toBe(checkoutSecret);
    const received = {
      timestamp: String(got?.headers[CALLBACK_HEADERS.timestamp]),
      signature: String(got?.headers[CALLBACK_HEADERS.signature]),
      url: r.url,
      rawBody: got!.rawBody,
    };
    const at = { now: 1_764_000_000_500 };
    expect(verifyCallback(checkoutSecret, received, at)).toBe(true);
    // Another key's secret, the master itself, or the same body presented at another URL: refused.
    expect(verifyCallback(callbackSecretFor(SECRET, "billing"), received, at)).toBe(false);
    expect(verifyCallback(SECRET, received, at)).toBe(false);
    expect(verifyCallback(checkoutSecret, { ...received, url: `${r.url}-other` }, at)).toBe(false);
    expect(verifyCallback(checkoutSecret, { ...received, url: "https://other.example/hook" }, at)).toBe(
      false,
    );
  });

  it("counts 5xx, 408 and 429 as transient, other 4xx as rejected, with the status", async () => {
    const statuses = [500, 503, 408, 429, 400, 401, 404, 410];
    const r = await receiver((jobId) => Number(jobId.split("-")[1]));
    const kinds = [];
    for (const status of statuses) {
      const failure = await failureOf(
        deliverCallback(completedDelivery(`job-${status}`, r.url, RESULT), { ...OPTS }),
      );
      kinds.push([failure.status, failure.kind]);
    }
    expect(kinds).toEqual([
      [500, "transient"],
      [503, "transient"],
      [408, "transient"],
      [429, "transient"],
      [400, "rejected"],
      [401, "rejected"],
      [404, "rejected"],
      [410, "rejected"],
    ]);
  });

  it("does not follow a redirect: the 3xx is a rejection and the other host gets nothing", async () => {
    const elsewhere = await receiver();
    const r = await receiver(() => ({ status: 307, location: elsewhere.url }));
    const failure = await failureOf(deliverCallback(completedDelivery("job-1", r.url, RESULT), { ...OPTS }));
    expect(failure).toMatchObject({ kind: "rejected", status: 307 });
    expect(r.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it("gives up on a receiver that does not answer within the timeout (transient)", async () => {
    const r = await receiver(() => "hang");
    const failure = await failureOf(
      deliverCallback(completedDelivery("job-1", r.url, RESULT), { ...OPTS, timeoutMs: 200 }),
    );
    expect(failure.kind).toBe("transient");
    expect(failure.message).toBe("no answer within 200 ms");
  });

  it("reports an unreachable receiver as transient, naming the error code but not the URL", async () => {
    const r = await receiver();
    const url = `${r.url}?token=s3cr3t`;
    await r.close(); // nothing listens on that port any more
    const failure = await failureOf(deliverCallback(completedDelivery("job-1", url, RESULT), { ...OPTS }));
    expect(failure.kind).toBe("transient");
    expect(failure.message).toBe("network error (ECONNREFUSED)");
  });

  it("refuses a URL that is not http(s) without sending anything", async () => {
    const failure = await failureOf(
      deliverCallback(completedDelivery("job-1", "file:///etc/passwd", RESULT), { ...OPTS }),
    );
    expect(failure.kind).toBe("invalid");
  });
});

describe("callbackDeliveryId", () => {
  it("is one id per job outcome, a new one per redrive, and never contains ':'", () => {
    expect(callbackDeliveryId("2088000000000001-a1", "completed")).toBe("2088000000000001-a1.completed");
    expect(callbackDeliveryId("2088000000000001-a1", "dead")).toBe("2088000000000001-a1.dead");
    expect(callbackDeliveryId("2088000000000001-a1", "dead", 2)).toBe("2088000000000001-a1.dead.r2");
    expect(callbackDeliveryId("2088000000000001-a1", "dead", 2)).not.toContain(":");
  });
});

/** A DNS stand-in: every name resolves to 127.0.0.1, as an attacker's zone (or a rebinding one) could. */
const toLoopback: ResolveAll = (_host, _options, callback) =>
  callback(null, [{ address: "127.0.0.1", family: 4 }]);

describe("deliverCallback: destinations (loopback receivers only; nothing else is ever dialled)", () => {
  it("refuses numeric and named spellings of loopback unless allowed: the receiver gets nothing", async () => {
    const r = await receiver();
    const port = new URL(r.url).port;
    for (const url of [
      `http://0x7f000001:${port}/hook`,
      `http://2130706433:${port}/hook`,
      `http://localhost:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
    ]) {
      const failure = await failureOf(
        deliverCallback(completedDelivery("job-1", url, RESULT), { secret: SECRET }),
      );
      expect(failure.kind).toBe("refused");
      expect(failure.message).toMatch(/^callback destination refused: /);
    }
    expect(r.received).toHaveLength(0);

    // Opened by the allow-list (CIDR for the numeric forms, exact name for localhost): delivered.
    for (const url of [`http://0x7f000001:${port}/hook`, `http://2130706433:${port}/hook`]) {
      await deliverCallback(completedDelivery("job-2", url, RESULT), OPTS);
    }
    await deliverCallback(completedDelivery("job-3", `http://localhost:${port}/hook`, RESULT), {
      secret: SECRET,
      destinations: policy("localhost"),
    });
    expect(r.received.map((x) => x.jobId)).toEqual(["job-2", "job-2", "job-3"]);
  });

  it("judges a name by the address it resolves to when connecting (rebinding to 127.0.0.1 is refused)", async () => {
    const r = await receiver();
    const url = `http://hooks.rebind.test:${new URL(r.url).port}/hook`;
    const failure = await failureOf(
      deliverCallback(completedDelivery("job-1", url, RESULT), {
        secret: SECRET,
        destinations: policy("", toLoopback),
      }),
    );
    expect(failure).toMatchObject({
      kind: "refused",
      message:
        "callback destination refused: hooks.rebind.test resolves to a refused address: 127.0.0.1 is a loopback address",
    });
    expect(r.received).toHaveLength(0);

    // The same name, its resolved address opened by CIDR: the connection is made to what the guard
    // resolved (the receiver gets it), so the check did run on the address connected to.
    await deliverCallback(completedDelivery("job-2", url, RESULT), {
      secret: SECRET,
      destinations: policy("127.0.0.0/8", toLoopback),
    });
    expect(r.received.map((x) => x.jobId)).toEqual(["job-2"]);
  });

  it("refuses credentials in the URL and plain http in production unless the host is allowed", async () => {
    const r = await receiver();
    const withUser = r.url.replace("http://", "http://user:pass@");
    expect((await failureOf(deliverCallback(completedDelivery("job-1", withUser, RESULT), OPTS))).kind).toBe(
      "refused",
    );
    const production = { ...policy("", toLoopback), requireHttps: true };
    const named = `http://hooks.rebind.test:${new URL(r.url).port}/hook`;
    const failure = await failureOf(
      deliverCallback(completedDelivery("job-1", named, RESULT), {
        secret: SECRET,
        destinations: production,
      }),
    );
    expect(failure.message).toBe("callback destination refused: must use https");
    expect(r.received).toHaveLength(0);
  });
});

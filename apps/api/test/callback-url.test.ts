import { parseConfig } from "@riskq/config";
import {
  isAllowedAddress,
  isAllowedHost,
  parseCallbackAllowListText,
  type ResolveAll,
} from "@riskq/pipeline";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { apiEnv, REPO_ROOT } from "../src/config";
import { type ApiKit, AUTH, countJobs, scoreBody, startApi } from "./support/api-harness";

// Only text is sent here: the API judges callback URLs without connecting anywhere (a name is
// resolved, nothing is dialled), so refused destinations are proven without any traffic to them.

const suite = useTestRedis({ url: process.env.REDIS_URL });
const kits: ApiKit[] = [];
afterEach(async () => {
  await Promise.all(kits.splice(0).map((kit) => kit.close()));
});

async function api(allowed = "", requireHttps = false, resolve?: ResolveAll): Promise<ApiKit> {
  const parsed = parseCallbackAllowListText(allowed);
  if (!parsed.ok) throw new Error(parsed.message);
  const kit = await startApi({
    redisUrl: process.env.REDIS_URL,
    prefix: suite.redis.prefix,
    callbackDestinations: { allowList: parsed.value, requireHttps, ...(resolve ? { resolve } : {}) },
  });
  kits.push(kit);
  return kit;
}

const post = (kit: ApiKit, url: string, payload: object) =>
  kit.app.inject({ method: "POST", url, headers: { ...AUTH, "content-type": "application/json" }, payload });

interface Refusal {
  error: string;
  issues: Array<{ path: string; message: string }>;
}

describe("callback_url destinations at the API", () => {
  it.each([
    "http://127.0.0.1:6379/",
    "http://0x7f000001:6379/",
    "http://2130706433/",
    "http://017700000001/",
    "http://127.1/",
    "http://[::1]:6379/",
    "http://[::ffff:127.0.0.1]/",
    "http://localhost:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://0.0.0.0/hook",
    "https://user:pass@hooks.example.com/hook",
  ])("refuses %s with 400 at callback_url and enqueues nothing", async (callbackUrl) => {
    const kit = await api();
    const res = await post(kit, "/v1/scores", scoreBody("cb-1", { callback_url: callbackUrl }));
    expect(res.statusCode).toBe(400);
    const body = res.json<Refusal>();
    expect(body.error).toBe("invalid_request");
    expect(body.issues).toHaveLength(1);
    expect(body.issues[0]?.path).toBe("callback_url");
    expect(body.issues[0]?.message).toMatch(/^callback destination refused: /);
    expect(await countJobs(kit.scoreQueue)).toBe(0);
  });

  it("refuses a name that resolves to a refused address now (a DNS stand-in answers; nothing is dialled)", async () => {
    const metadata: ResolveAll = (_host, _options, callback) =>
      callback(null, [{ address: "169.254.169.254", family: 4 }]);
    const kit = await api("", false, metadata);
    const res = await post(
      kit,
      "/v1/scores",
      scoreBody("cb-11", { callback_url: "https://hooks.example.com/r" }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<Refusal>().issues).toEqual([
      {
        path: "callback_url",
        message:
          "callback destination refused: hooks.example.com resolves to a refused address: 169.254.169.254 is a cloud metadata address",
      },
    ]);
    expect(await countJobs(kit.scoreQueue)).toBe(0);
  });

  it("names each refused item of a batch and enqueues none of it", async () => {
    const kit = await api();
    const res = await post(kit, "/v1/scores/batch", {
      items: [
        scoreBody("cb-2", { callback_url: "https://hooks.example.com/riskq" }),
        scoreBody("cb-3", { callback_url: "http://127.0.0.1:9/" }),
        scoreBody("cb-4", { callback_url: "http://169.254.169.254/" }),
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<Refusal>().issues.map((i) => i.path)).toEqual([
      "items[1].callback_url",
      "items[2].callback_url",
    ]);
    expect(await countJobs(kit.scoreQueue)).toBe(0);
  });

  it("accepts a public receiver, and a local one the allow-list opens", async () => {
    const open = await api();
    expect(
      (await post(open, "/v1/scores", scoreBody("cb-5", { callback_url: "https://hooks.example.com/r" })))
        .statusCode,
    ).toBe(202);
    const local = await api("127.0.0.1,localhost");
    for (const [id, url] of [
      ["cb-6", "http://127.0.0.1:9000/hook"],
      ["cb-7", "http://0x7f000001:9000/hook"],
      ["cb-8", "http://localhost:9000/hook"],
    ] as const) {
      expect((await post(local, "/v1/scores", scoreBody(id, { callback_url: url }))).statusCode).toBe(202);
    }
  });

  it("requires https in production unless the host is explicitly allowed", async () => {
    const kit = await api("127.0.0.1", true);
    const plain = await post(
      kit,
      "/v1/scores",
      scoreBody("cb-9", { callback_url: "http://hooks.example.com/" }),
    );
    expect(plain.statusCode).toBe(400);
    expect(plain.json<Refusal>().issues[0]).toEqual({
      path: "callback_url",
      message: "callback destination refused: must use https",
    });
    const allowed = await post(
      kit,
      "/v1/scores",
      scoreBody("cb-10", { callback_url: "http://127.0.0.1:9/" }),
    );
    expect(allowed.statusCode).toBe(202);
  });
});

describe("RISKQ_CALLBACK_ALLOWED_HOSTS in the API's config", () => {
  const base = { RISKQ_API_KEYS: "test-api-key-0123456789abcdef" };
  it("opens nothing by default, and the hosts and CIDRs it lists", () => {
    const none = parseConfig(apiEnv(REPO_ROOT), base).RISKQ_CALLBACK_ALLOWED_HOSTS;
    expect(isAllowedAddress(none, "127.0.0.1")).toBe(false);
    const set = parseConfig(apiEnv(REPO_ROOT), {
      ...base,
      RISKQ_CALLBACK_ALLOWED_HOSTS: "127.0.0.1,hooks.internal",
    }).RISKQ_CALLBACK_ALLOWED_HOSTS;
    expect(isAllowedAddress(set, "127.0.0.1")).toBe(true);
    expect(isAllowedHost(set, "hooks.internal")).toBe(true);
  });

  it("refuses to start on an entry that is neither a hostname nor a CIDR", () => {
    expect(() => parseConfig(apiEnv(REPO_ROOT), { ...base, RISKQ_CALLBACK_ALLOWED_HOSTS: "a b" })).toThrow(
      /RISKQ_CALLBACK_ALLOWED_HOSTS/,
    );
  });
});

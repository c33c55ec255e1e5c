import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alipayClientConfig, alipayEnv, ConfigError, exitOnConfigError, parseConfig } from "../src/index";

const PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";

describe("Alipay client config", () => {
  it("defaults the key files to the sandbox's dev keys at the repository root", () => {
    const env = parseConfig(alipayEnv("/repo"), {});
    expect(env.ALIPAY_APP_PRIVATE_KEY_FILE).toBe(join("/repo", ".data", "sandbox", "app-private.pem"));
    expect(env.ALIPAY_ENDPOINT).toBe("http://127.0.0.1:8787");
  });

  it("reads both key files, and names the variable whose file is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "riskq-keys-"));
    writeFileSync(join(dir, "app.pem"), PEM);
    writeFileSync(join(dir, "platform.pem"), PEM);
    const env = parseConfig(alipayEnv(dir), {
      ALIPAY_APP_PRIVATE_KEY_FILE: join(dir, "app.pem"),
      ALIPAY_PLATFORM_PUBLIC_KEY_FILE: join(dir, "platform.pem"),
    });
    expect(alipayClientConfig(env).appPrivateKey).toBe(PEM.trim());

    const broken = { ...env, ALIPAY_PLATFORM_PUBLIC_KEY_FILE: join(dir, "missing.pem") };
    expect(() => alipayClientConfig(broken)).toThrow(ConfigError);
    const lines: string[] = [];
    const exit = (code: number): never => {
      throw new Error(`exit ${code}`);
    };
    expect(() =>
      exitOnConfigError(() => alipayClientConfig(broken), {
        stderr: { write: (t: string) => lines.push(t) },
        exit,
      }),
    ).toThrow("exit 1");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^riskq: configuration error: ALIPAY_PLATFORM_PUBLIC_KEY_FILE must name a readable PEM/,
    );
  });
});

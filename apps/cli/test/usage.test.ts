/** The CLI's surface without any service: help, exit codes 0/1/2, and advice when nothing answers. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cliRunner, inheritedEnv, NOWHERE_URL, REPO_ROOT } from "@riskq/testing";
import { describe, expect, it } from "vitest";

const runCli = cliRunner(process.env);

const cliPackage = JSON.parse(readFileSync(join(REPO_ROOT, "apps/cli/package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
};

describe("--version", () => {
  it("prints the version of the CLI's package.json, plain or as JSON, and exits 0", async () => {
    const [plain, json] = await Promise.all([runCli(["--version"]), runCli(["--version", "--json"])]);

    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(`riskq ${cliPackage.version}\n`);
    expect(json.code).toBe(0);
    expect(json.json()).toEqual({ version: cliPackage.version });
  });

  it("is what the package's riskq bin runs", async () => {
    const bin = join(REPO_ROOT, "apps/cli", cliPackage.bin.riskq!);
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "--version"], {
      cwd: REPO_ROOT,
      env: inheritedEnv(process.env),
    });
    expect(stdout).toBe(`riskq ${cliPackage.version}\n`);
  });
});

const COMMANDS = ["enqueue", "status", "dlq", "merchants", "keys", "models", "callbacks", "cost"];

describe("help and usage errors", () => {
  it("--help lists every command and exits 0; a command's --help shows its own usage", async () => {
    const [top, dlq, enqueue] = await Promise.all([
      runCli(["--help"]),
      runCli(["dlq", "--help"]),
      runCli(["enqueue", "--help"]),
    ]);

    expect(top.code).toBe(0);
    for (const name of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(dlq.code).toBe(0);
    expect(dlq.stdout).toContain("riskq dlq purge (<id>... | --reason <reason>) [--yes]");
    expect(enqueue.code).toBe(0);
    expect(enqueue.stdout).toContain("Usage: riskq enqueue [<file> | -]");
  });

  it("exits 2 with the usage on an unknown command, an unknown flag, a missing argument or subcommand", async () => {
    const runs = await Promise.all([
      runCli(["frobnicate"]),
      runCli(["status", "2088000000000001-x", "--verbose"]),
      runCli(["status"]),
      runCli(["dlq"]),
      runCli(["dlq", "list", "--limit", "0"]),
      runCli([]),
    ]);

    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("Usage: riskq");
      expect(run.stdout).toBe("");
    }
    expect(runs[0]!.stderr).toContain('unknown command "frobnicate"');
    expect(runs[1]!.stderr).toContain("--verbose");
    expect(runs[2]!.stderr).toContain("missing <id>");
    expect(runs[3]!.stderr).toContain("missing subcommand of dlq");
    expect(runs[4]!.stderr).toContain("--limit must be a whole number from 1 to 500");
  });

  it("with --json, a failure is also a JSON error object on stdout", async () => {
    const usage = await runCli(["dlq", "list", "--reason", "bored", "--json"]);

    expect(usage.code).toBe(2);
    expect(usage.json()).toEqual({ error: "usage", message: 'unknown reason "bored"' });
  });
});

describe("failures that say what to do", () => {
  it("an unreachable API: exit 1, telling to start it or set RISKQ_API_URL", async () => {
    const run = await runCli(["status", "2088000000000001-x", "--json"], {
      env: { RISKQ_API_URL: NOWHERE_URL, RISKQ_API_KEY: "k" },
    });

    expect(run.code).toBe(1);
    expect(run.json()).toMatchObject({ error: "api_unreachable" });
    expect(run.stderr).toContain(`the riskq API at ${NOWHERE_URL} is not reachable`);
    expect(run.stderr).toContain("pnpm api");
    expect(run.stderr).toContain("RISKQ_API_URL");
  });

  it("an unreachable Redis: exit 1, telling to start it or set REDIS_URL", async () => {
    const run = await runCli(["models", "status"], { env: { REDIS_URL: "redis://:s3cret@127.0.0.1:1" } });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Redis at redis://***@127.0.0.1:1 is not reachable");
    expect(run.stderr).toContain("REDIS_URL");
    expect(run.stderr).not.toContain("s3cret");
  });

  it("a bad variable is a configuration error naming it, exit 1", async () => {
    const run = await runCli(["dlq", "list"], { env: { RISKQ_API_URL: "not a url" } });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("riskq: configuration error: RISKQ_API_URL");
  });
});

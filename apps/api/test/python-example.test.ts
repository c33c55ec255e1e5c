/**
 * docs/python-example.md: its Python code, as the doc shows it, run by the machine's python3 against
 * the real API listening on a port, with a stand-in worker completing the job.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import {
  API_KEY,
  type ScoreJob,
  scoredResult,
  startTestWorker,
  useApiWithWorkers,
} from "./support/api-harness";

const ctx = useApiWithWorkers();

/** The doc's one ```python block, exactly as readers copy it. */
function pythonOfDoc(): string {
  const doc = readFileSync(join(REPO_ROOT, "docs/python-example.md"), "utf8");
  const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
}

/** Runs the code with python3 (asynchronously: the API answers from this same process). */
async function runPython(code: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)("python3", ["-c", code], {
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("docs/python-example.md", () => {
  it("enqueues a score with wait_ms and prints the completed job's risk", async () => {
    const url = await ctx.kit.app.listen({ port: 0, host: "127.0.0.1" });
    ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => scoredResult(job.data.request));

    const run = await runPython(pythonOfDoc(), { RISKQ_API_URL: url, RISKQ_API_KEY: API_KEY });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toBe("status 200");
    const [, id, status] = lines[1]!.split(" ");
    expect(status).toBe("completed");
    expect(lines[2]).toBe("risk low 12 not flagged");
    // The job it printed is the one the API enqueued and the worker completed.
    expect(await (await ctx.kit.scoreQueue.getJob(id!))?.getState()).toBe("completed");
  });

  it("prints the API's error code and exits non-zero when refused", async () => {
    const url = await ctx.kit.app.listen({ port: 0, host: "127.0.0.1" });
    const run = await runPython(pythonOfDoc(), { RISKQ_API_URL: url, RISKQ_API_KEY: "not-a-key" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^riskq answered 401 unauthorized: /);
    expect(await ctx.kit.scoreQueue.count()).toBe(0);
  });
});

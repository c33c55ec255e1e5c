import { execFileSync } from "node:child_process";

/**
 * The path of a monitoring binary (Debian's `promtool`, `prometheus-alertmanager`, `amtool`), or an error
 * saying how to get it. The monitoring tests fail rather than skip without them: a rule file or an
 * Alertmanager payload nobody checked is what they are there to prevent.
 */
export function requireBinary(name: "promtool" | "prometheus-alertmanager" | "amtool"): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      `${name} is not installed: run \`bash scripts/setup.sh\` (it installs Debian's prometheus and prometheus-alertmanager packages), then run this test again`,
    );
  }
}

/** Runs promtool with `args`, `stdin` on its standard input; returns its exit status and output. */
export function promtool(args: string[], stdin?: string): { status: number; output: string } {
  return runTool("promtool", args, stdin);
}

/** Runs a monitoring binary; returns its exit status and output (stdout, then stderr). */
export function runTool(
  name: Parameters<typeof requireBinary>[0],
  args: string[],
  stdin?: string,
): { status: number; output: string } {
  const bin = requireBinary(name);
  try {
    const output = execFileSync(bin, args, { input: stdin, encoding: "utf8", stdio: "pipe" });
    return { status: 0, output };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

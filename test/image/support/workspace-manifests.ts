import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@riskq/testing";
import { parse } from "yaml";

/**
 * Repo-relative paths of every workspace package's package.json (the globs of pnpm-workspace.yaml):
 * what a frozen install needs besides the lockfile, and so what the Dockerfile must copy.
 */
export function workspaceManifests(root = REPO_ROOT): string[] {
  const workspace = parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")) as { packages: string[] };
  return workspace.packages.flatMap((glob) => {
    if (!glob.endsWith("/*")) return [`${glob}/package.json`];
    const dir = glob.slice(0, -2);
    return readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, dir, entry.name, "package.json")))
      .map((entry) => `${dir}/${entry.name}/package.json`);
  });
}

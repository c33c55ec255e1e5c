import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "@riskq/testing";
import { buildBundles, type ShippedApp } from "../../../scripts/build";
import { workspaceManifests } from "./workspace-manifests";

/** Files the Dockerfile's prod-deps stage starts from, besides the workspace manifests. */
const INSTALL_INPUTS = [
  "package.json",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  ".npmrc",
  "scripts/install-production-deps.sh",
];

/**
 * The pinned pnpm (root packageManager): the one on PATH when it is that version, else through npx,
 * as scripts/setup.sh does on machines without it.
 */
function pnpmCommand(): string {
  const pinned = (
    JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { packageManager: string }
  ).packageManager;
  try {
    const version = execFileSync("pnpm", ["--version"], { encoding: "utf8" }).trim();
    if (`pnpm@${version}` === pinned) return "pnpm";
  } catch {
    // not on PATH
  }
  return `npx -y ${pinned}`;
}

/** A folder laid out like the image's /app: production node_modules and dist/<app>.mjs, nothing else. */
export interface ImageDir {
  dir: string;
  bundle(app: ShippedApp): string;
  remove(): void;
}

/**
 * Builds the image's /app without Docker: the same production install (from the local pnpm store,
 * offline) of the same manifests, and the same bundles. Source, tsx and devDependencies are absent,
 * so a bundle that still needed them fails here as it would in the image.
 */
export async function prepareImageDir(): Promise<ImageDir> {
  const dir = mkdtempSync(join(tmpdir(), "riskq-image-"));
  try {
    for (const file of [...INSTALL_INPUTS, ...workspaceManifests()]) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      cpSync(join(REPO_ROOT, file), join(dir, file));
    }
    await promisify(execFile)("sh", ["scripts/install-production-deps.sh", "--offline"], {
      cwd: dir,
      env: { ...process.env, PNPM: pnpmCommand() },
      timeout: 180_000,
    });
    await buildBundles({ outDir: join(dir, "dist") });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    bundle: (app) => join(dir, "dist", `${app}.mjs`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

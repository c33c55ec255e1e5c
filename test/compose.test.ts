import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { DCLinter } from "dclint";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SHIPPED_APPS } from "../scripts/build";
import { workspaceManifests } from "./image/support/workspace-manifests";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const composePath = join(repoRoot, "docker-compose.yml");
const rootPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  packageManager: string;
  scripts: Record<string, string>;
};

interface Service {
  image?: string;
  restart?: string;
  pull_policy?: string;
  stop_grace_period?: string;
  build?: { context?: string; target?: string } | string;
  deploy?: { replicas?: number };
  command?: string | string[];
  working_dir?: string;
  volumes?: string[];
  environment?: Record<string, string> | string[];
  ports?: string[];
  healthcheck?: { test?: string | string[] };
  secrets?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
}

const compose = parse(readFileSync(composePath, "utf8")) as ComposeFile;
/** Where the Dockerfile's app stage puts the bundles (dist/) and their node_modules. */
const IMAGE_APP_DIR = "/app";
/** The one riskq image: built by one service, run by every riskq service. */
const RISKQ_IMAGE = "riskq:local";
const RISKQ_SERVICES = ["api", "dashboard", "sandbox", "scheduler", "worker"];

/** Lint results of one compose file (dclint: YAML validity, the compose JSON schema, then its rules). */
function lint(path: string) {
  const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] });
  const [result] = linter.lintFiles([path], false);
  if (!result) throw new Error(`dclint did not lint ${path}`);
  return { ...result, summary: result.messages.map((m) => `${m.rule}: ${m.message}`) };
}

/** A service's command as one shell script: `sh -c "<script>"` unwrapped, arrays joined. */
function commandScript(command: Service["command"]): string {
  if (command === undefined) return "";
  if (typeof command === "string") return command;
  const [shell, flag, script] = command;
  if ((shell === "sh" || shell === "bash") && flag === "-c" && script !== undefined) return script;
  return command.join(" ");
}

// pnpm's own commands; any other first word after `pnpm` (or `pnpm run`) is a root script.
const PNPM_BUILTINS = new Set([
  "install",
  "i",
  "add",
  "remove",
  "rm",
  "update",
  "up",
  "exec",
  "dlx",
  "store",
  "fetch",
  "rebuild",
  "prune",
]);

/**
 * What a service's command refers to that does not exist: `pnpm <script>` without such a root script,
 * a pinned pnpm other than the root's packageManager, or a repo-relative file missing from the repo.
 * Paths are resolved in the container: relative to working_dir, mapped back through a `.:<dir>` volume;
 * in the riskq image, `dist/<app>.mjs` is the bundle `pnpm build` makes of a shipped app.
 */
function commandProblems(name: string, service: Service, root = repoRoot): string[] {
  const problems: string[] = [];
  // The riskq image holds the build of the repository at /app; other services may mount it.
  const inImage = service.build !== undefined || service.image === RISKQ_IMAGE;
  const mount = inImage
    ? IMAGE_APP_DIR
    : service.volumes?.find((volume) => volume.startsWith(".:"))?.split(":")[1];
  const workingDir = service.working_dir ?? "/";
  for (const segment of commandScript(service.command).split(/&&|\|\||;|\|/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    const pnpmAt = words.findIndex((word) => /^pnpm(@[\w.-]+)?$/.test(word));
    if (pnpmAt >= 0) {
      const pinned = words[pnpmAt]!.split("@")[1];
      if (pinned !== undefined && `pnpm@${pinned}` !== rootPackage.packageManager) {
        problems.push(`${name}: pnpm@${pinned} is not the root packageManager ${rootPackage.packageManager}`);
      }
      const args = words.slice(pnpmAt + 1).filter((word) => !word.startsWith("-"));
      const script = args[0] === "run" ? args[1] : args[0];
      if (
        script !== undefined &&
        (args[0] === "run" || !PNPM_BUILTINS.has(script)) &&
        !rootPackage.scripts[script]
      ) {
        problems.push(`${name}: "pnpm ${script}" is not a script of the root package.json`);
      }
    }
    for (const word of words) {
      if (!/^[\w./-]+$/.test(word) || !word.includes("/") || word.startsWith("-")) continue;
      const inContainer = posix.resolve(workingDir, word);
      if (mount === undefined || !(inContainer === mount || inContainer.startsWith(`${mount}/`))) continue;
      const relative = posix.relative(mount, inContainer);
      const bundle = /^dist\/([\w-]+)\.mjs$/.exec(relative);
      if (inImage && bundle) {
        if (!(SHIPPED_APPS as readonly string[]).includes(bundle[1]!)) {
          problems.push(`${name}: ${word} is not a bundle pnpm build makes`);
        }
      } else if (!existsSync(join(root, relative))) {
        problems.push(`${name}: ${word} does not exist in the repository`);
      }
    }
  }
  return problems;
}

const words = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value : (value ?? "").split(/\s+/);

/** A compose duration (`30s`, `1m30s`, `500ms`) in milliseconds. */
function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.map((p) => p[0]).join("") !== text) throw new Error(`not a compose duration: ${text}`);
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * units[unit!]!, 0);
}

describe("docker-compose.yml", () => {
  const scratch = mkdtempSync(join(tmpdir(), "riskq-compose-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("passes dclint (YAML, compose schema and its rules) without errors or warnings", () => {
    const result = lint(composePath);
    expect(result.summary).toEqual([]);
    expect(result.errorCount).toBe(0);
  });

  it.each([
    [
      "an unknown service key",
      (text: string) =>
        text.replace(
          "    image: redis:7-alpine\n",
          "    image: redis:7-alpine\n    restart_policy: always\n",
        ),
      "invalid-schema",
    ],
    [
      "a port that is not a string or number",
      (text: string) => text.replace("      - '127.0.0.1:8787:8787'", "      - { nonsense: true }"),
      "invalid-schema",
    ],
    ["broken YAML", (text: string) => `${text}\n  oops: [\n`, "invalid-yaml"],
  ])("the validator rejects a copy with %s", (_kind, breakIt, rule) => {
    const original = readFileSync(composePath, "utf8");
    const broken = breakIt(original);
    expect(broken).not.toBe(original);
    const dir = mkdtempSync(join(scratch, "case-"));
    const path = join(dir, "docker-compose.yml");
    writeFileSync(path, broken);
    const result = lint(path);
    expect(result.errorCount).toBeGreaterThan(0);
    expect(result.messages.map((m) => m.rule)).toContain(rule);
  });

  it("runs only root scripts and files that exist in the repository", () => {
    const services = Object.entries(compose.services);
    expect(services.length).toBeGreaterThanOrEqual(2);
    expect(services.flatMap(([name, service]) => commandProblems(name, service))).toEqual([]);
  });

  it("the command check reports a missing script, a wrong pnpm and a missing file", () => {
    const broken: Service = {
      volumes: [".:/app"],
      working_dir: "/app",
      command: [
        "sh",
        "-c",
        "npx -y pnpm@9.0.0 install && pnpm no-such-script && node scripts/no-such-file.mjs && pnpm run sandbox",
      ],
    };
    expect(commandProblems("broken", broken)).toEqual([
      `broken: pnpm@9.0.0 is not the root packageManager ${rootPackage.packageManager}`,
      'broken: "pnpm no-such-script" is not a script of the root package.json',
      "broken: scripts/no-such-file.mjs does not exist in the repository",
    ]);
    expect(
      commandProblems("image", { image: RISKQ_IMAGE, working_dir: "/app", command: "node dist/demo.mjs" }),
    ).toEqual(["image: dist/demo.mjs is not a bundle pnpm build makes"]);
    expect(
      commandProblems("ok", { ...broken, command: "bash scripts/ensure-redis.sh && pnpm run sandbox" }),
    ).toEqual([]);
  });

  it("keeps Redis durable, never evicting, with a healthcheck and a volume (redis 7)", () => {
    const redis = compose.services.redis!;
    expect(redis.image).toMatch(/^redis:7([.-]|$)/);
    const command = words(redis.command).join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
    expect(words(redis.healthcheck?.test).join(" ")).toMatch(/redis-cli ping/);
    expect(redis.volumes?.some((volume) => volume.endsWith(":/data"))).toBe(true);
  });

  it("runs every riskq app as its bundle under node, from one image built once, with healthchecks and 2 workers", () => {
    const builders = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
    expect(builders.map(([name]) => name)).toEqual(["api"]);
    expect(compose.services.api!.build).toEqual({ context: ".", target: "app" });
    // Built here, never pulled: no registry has riskq:local.
    expect(compose.services.api!.pull_policy).toBe("build");
    for (const name of RISKQ_SERVICES) {
      const service = compose.services[name]!;
      expect(service.image, name).toBe(RISKQ_IMAGE);
      if (name !== "api") expect(service.pull_policy, name).toBe("never");
      expect(service.working_dir, name).toBe(IMAGE_APP_DIR);
      expect(words(service.command).join(" "), name).toBe(`node dist/${name}.mjs`);
      expect(words(service.healthcheck?.test).join(" "), name).toMatch(/fetch\('http:\/\/127\.0\.0\.1:\d+\//);
    }
    expect(compose.services.worker!.deploy?.replicas).toBe(2);
    for (const [name, port] of [
      ["api", 3000],
      ["dashboard", 3001],
      ["sandbox", 8787],
    ] as const) {
      expect(
        compose.services[name]!.ports?.some((p) => p.endsWith(`:${port}`)),
        name,
      ).toBe(true);
    }
    // The sandbox's development keys reach the apps that sign with them.
    for (const name of ["api", "scheduler", "worker"]) {
      expect(compose.services[name]!.volumes, name).toContain("sandbox-keys:/app/.data/sandbox:ro");
    }
    expect(compose.services.sandbox!.volumes).toContain("sandbox-keys:/app/.data/sandbox");
  });

  it("restarts every service and gives each longer to stop than its own shutdown grace", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.restart, name).toMatch(/^(unless-stopped|always|on-failure)$/);
    }
    // Each app's grace: the worker's and scheduler's SHUTDOWN_GRACE_MS (default from the README's
    // table), the fixed ones of the API (15 s) and the dashboard (5 s).
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const defaultGrace = Number(/^\| `SHUTDOWN_GRACE_MS` \| `(\d+)`/m.exec(readme)?.[1]);
    expect(defaultGrace).toBeGreaterThan(0);
    const graceOf = (name: string) => {
      const env = (compose.services[name]!.environment ?? {}) as Record<string, string>;
      return Number(env.SHUTDOWN_GRACE_MS ?? defaultGrace);
    };
    const graces: Record<string, number> = {
      worker: graceOf("worker"),
      scheduler: graceOf("scheduler"),
      api: 15_000,
      dashboard: 5_000,
    };
    for (const [name, graceMs] of Object.entries(graces)) {
      const period = compose.services[name]!.stop_grace_period ?? "10s";
      expect(durationMs(period), `${name} stop_grace_period ${period}`).toBeGreaterThan(graceMs);
    }
  });

  it("runs the apps in production, their secrets only as compose secrets read through *_FILE", () => {
    const secretsOf: Record<string, string[]> = {
      api: ["RISKQ_API_KEYS", "RISKQ_SECRET_KEY"],
      dashboard: ["DASHBOARD_PASSWORD"],
      scheduler: ["RISKQ_SECRET_KEY"],
      worker: ["RISKQ_SECRET_KEY", "RISKQ_CALLBACK_SECRET"],
    };
    for (const [name, variables] of Object.entries(secretsOf)) {
      const service = compose.services[name]!;
      const env = service.environment as Record<string, string>;
      // Compose interpolation: production unless RISKQ_NODE_ENV says otherwise.
      expect(env.NODE_ENV, name).toMatch(/^\$\{RISKQ_NODE_ENV:-production\}$/);
      for (const variable of variables) {
        expect(env[variable], `${name} ${variable}`).toBeUndefined();
        const secret = env[`${variable}_FILE`]?.replace("/run/secrets/", "");
        expect(service.secrets, `${name} ${variable}_FILE`).toContain(secret);
        expect(compose.secrets?.[secret!]?.file, secret).toMatch(/^\.\/secrets\//);
      }
      // Production refuses a plain-http Alipay: only an https default may be written here.
      if (env.ALIPAY_ENDPOINT) expect(env.ALIPAY_ENDPOINT, name).toMatch(/:-https:\/\//);
    }
    const ignored = readFileSync(join(repoRoot, ".gitignore"), "utf8").split("\n");
    expect(ignored).toContain("secrets/");
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const lines = dockerfile.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  const stages = lines.flatMap((line) => /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line)?.[1] ?? []);

  it("builds from Node 20 with the root's pinned pnpm, installing with the frozen lockfile", () => {
    expect(lines[0]).toMatch(/^FROM node:20-/);
    expect(dockerfile).toContain(`npm install -g ${rootPackage.packageManager}`);
    expect(dockerfile).toMatch(/RUN pnpm install --frozen-lockfile/);
    expect(stages).toEqual(["base", "manifests", "deps", "build", "prod-deps", "app"]);
  });

  it("copies the manifest of every workspace package before installing (or the frozen install fails)", () => {
    const manifests = workspaceManifests(repoRoot);
    const copied = lines.flatMap((line) => {
      const match = /^COPY\s+(?!--)(.+)\s+\S+$/.exec(line);
      return match ? match[1]!.split(/\s+/) : [];
    });
    for (const manifest of manifests) expect(copied, manifest).toContain(manifest);
    // And nothing it copies is missing from the repository.
    for (const source of copied.filter((c) => c !== "."))
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
  });

  it("leaves local installs, state and secrets out of the build context", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", ".data", ".git", "secrets"]));
  });

  it("runs a bundle under plain node in the app stage: production, non-root, with a healthcheck", () => {
    const app = dockerfile.slice(dockerfile.search(/^FROM \S+ AS app$/m));
    expect(app).toMatch(/^FROM node:20-\S+ AS app$/m);
    expect(app).toMatch(/^ENV NODE_ENV=production$/m);
    expect(app).toMatch(/^USER node$/m);
    expect(app).toMatch(/^HEALTHCHECK /m);
    // Only the production install and the bundles reach it: no source, no dev dependencies.
    expect(app).toMatch(/^COPY --from=prod-deps \/app\/node_modules node_modules$/m);
    expect(app).toMatch(/^COPY --from=build \/app\/dist dist$/m);
    expect(app).not.toMatch(/^COPY (?!--from)/m);
    // node itself is the process (exec form), not pnpm or tsx in front of it.
    expect(app).toMatch(/^CMD \["node", "dist\/api\.mjs"\]$/m);
    const prodDeps = dockerfile.slice(
      dockerfile.search(/^FROM \S+ AS prod-deps$/m),
      dockerfile.search(/^FROM \S+ AS app$/m),
    );
    expect(prodDeps).toMatch(/^RUN sh scripts\/install-production-deps\.sh$/m);
    expect(dockerfile).toMatch(/^RUN pnpm build$/m);
  });

  it("every shipped app stops on SIGTERM itself (node is PID 1 in the container, without an init)", () => {
    for (const app of SHIPPED_APPS.filter((a) => a !== "cli")) {
      const main = readFileSync(join(repoRoot, "apps", app, "src", "main.ts"), "utf8");
      expect(main, app).toMatch(/"SIGTERM"/);
    }
  });
});

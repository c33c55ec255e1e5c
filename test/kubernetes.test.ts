import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { QUEUES } from "@riskq/contracts";
import { createScoreQueue } from "@riskq/pipeline";
import { createTestRedis, REPO_ROOT } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { SHIPPED_APPS } from "../scripts/build";

// No cluster here: these checks read the manifests as data (kinds, references between them, probes,
// env names, the KEDA key against the key BullMQ really writes). They do not run kubectl or a
// schema validator; see docs/deployment.md, "Kubernetes", for what that leaves unchecked.

const DIR = join(REPO_ROOT, "deploy", "kubernetes");

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, read field by field below
  spec?: any;
  data?: Record<string, string>;
  resources?: string[];
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}

const files = readdirSync(DIR).filter((file) => file.endsWith(".yaml"));
const manifests: (Manifest & { file: string })[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(DIR, file), "utf8")).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    return { ...(doc.toJS() as Manifest), file };
  }),
);
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => {
  const found = ofKind(kind).find((m) => m.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const config = named("ConfigMap", "riskq-config").data ?? {};
const containerOf = (deployment: Manifest): Container => deployment.spec.template.spec.containers[0];

/** A container's environment: its ConfigMaps' data, then its own env entries. */
function envOf(deployment: Manifest): Record<string, string> {
  const container = containerOf(deployment);
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    Object.assign(env, named("ConfigMap", source.configMapRef!.name).data);
  }
  for (const entry of container.env ?? []) env[entry.name] = entry.value ?? "";
  return env;
}

/** Variable names of the README's environment table (first column, in backticks). */
function readmeVariables(): Set<string> {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Environment variables"));
  const table = section.slice(0, section.indexOf("\n## "));
  const names = new Set<string>();
  for (const row of table.split("\n").filter((line) => line.startsWith("| `"))) {
    const firstCell = row.split("|")[1] ?? "";
    for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name!);
  }
  return names;
}

/** What each app's probes must ask: its real health routes, on the port its variable sets. */
const HEALTH: Record<string, { portVariable: string; readiness: string; liveness: string }> = {
  api: { portVariable: "API_PORT", readiness: "/readyz", liveness: "/healthz" },
  worker: { portVariable: "WORKER_METRICS_PORT", readiness: "/metrics", liveness: "/metrics" },
  scheduler: { portVariable: "SCHEDULER_METRICS_PORT", readiness: "/metrics", liveness: "/metrics" },
  // Basic auth on every route: a TCP check (an httpGet would get 401 and fail).
  dashboard: { portVariable: "DASHBOARD_PORT", readiness: "tcp", liveness: "tcp" },
};
/** Where those routes are registered, so a renamed route fails this test. */
const ROUTE_SOURCES: Record<string, string> = {
  "/healthz": "apps/api/src/routes/health.ts",
  "/readyz": "apps/api/src/routes/health.ts",
  "/metrics": "packages/metrics/src",
};

describe("deploy/kubernetes", () => {
  it("holds only known kinds with their stable apiVersions, every file listed in the kustomization", () => {
    const known = new Set([
      "apps/v1 Deployment",
      "v1 Service",
      "v1 ConfigMap",
      "policy/v1 PodDisruptionBudget",
      "keda.sh/v1alpha1 ScaledObject",
      "kustomize.config.k8s.io/v1beta1 Kustomization",
    ]);
    for (const m of manifests)
      expect(known, `${m.file}: ${m.apiVersion} ${m.kind}`).toContain(`${m.apiVersion} ${m.kind}`);
    const [kustomization] = ofKind("Kustomization");
    expect([...(kustomization?.resources ?? [])].sort()).toEqual(
      files.filter((f) => f !== "kustomization.yaml").sort(),
    );
  });

  it("runs api, worker, scheduler and dashboard from the one image as their bundles, non-root, with resources", () => {
    const deployments = ofKind("Deployment");
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual([
      "riskq-api",
      "riskq-dashboard",
      "riskq-scheduler",
      "riskq-worker",
    ]);
    for (const deployment of deployments) {
      const app = deployment.metadata!.name!.replace(/^riskq-/, "");
      expect(SHIPPED_APPS as readonly string[]).toContain(app);
      const container = containerOf(deployment);
      expect(container.image, app).toBe("riskq");
      expect(container.command, app).toEqual(["node", `dist/${app}.mjs`]);
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot, app).toBe(true);
      expect(container.resources?.requests?.cpu, app).toBeDefined();
      expect(container.resources?.requests?.memory, app).toBeDefined();
      expect(container.resources?.limits?.memory, app).toBeDefined();
      // The selector picks the pods of the template.
      const labels = deployment.spec.template.metadata.labels;
      expect(labels, app).toMatchObject(deployment.spec.selector.matchLabels);
      expect(envOf(deployment).NODE_ENV, app).toBe("production");
    }
  });

  it("probes each app on its real health routes and on the port it listens on", () => {
    for (const [app, health] of Object.entries(HEALTH)) {
      const deployment = named("Deployment", `riskq-${app}`);
      const container = containerOf(deployment);
      const listensOn = Number(envOf(deployment)[health.portVariable]);
      expect(listensOn, `${app} ${health.portVariable}`).toBeGreaterThan(0);
      for (const [kind, expected] of [
        ["readiness", health.readiness],
        ["liveness", health.liveness],
      ] as const) {
        const probe = container[`${kind}Probe`];
        expect(probe, `${app} ${kind}`).toBeDefined();
        const port = expected === "tcp" ? probe!.tcpSocket?.port : probe!.httpGet?.port;
        if (expected !== "tcp") expect(probe!.httpGet?.path, `${app} ${kind}`).toBe(expected);
        const containerPort = container.ports?.find((p) => p.name === port || p.containerPort === port);
        expect(containerPort?.containerPort, `${app} ${kind} port`).toBe(listensOn);
      }
    }
    for (const [route, source] of Object.entries(ROUTE_SOURCES)) {
      const path = join(REPO_ROOT, source);
      const text = source.endsWith(".ts")
        ? readFileSync(path, "utf8")
        : readdirSync(path)
            .map((file) => readFileSync(join(path, file), "utf8"))
            .join("\n");
      expect(text, `${route} in ${source}`).toContain(`"${route}"`);
    }
  });

  it("routes Services to named container ports of the pods they select", () => {
    for (const service of ofKind("Service")) {
      const deployment = ofKind("Deployment").find((d) =>
        Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
      );
      expect(deployment, service.metadata?.name).toBeDefined();
      const names = containerOf(deployment!).ports?.map((p) => p.name);
      for (const port of service.spec.ports) expect(names, service.metadata?.name).toContain(port.targetPort);
    }
    expect(
      ofKind("Service")
        .map((s) => s.metadata?.name)
        .sort(),
    ).toEqual(["riskq-api", "riskq-dashboard"]);
  });

  it("keeps api and worker pods through drains (PodDisruptionBudgets) and outlasts each app's grace", () => {
    for (const app of ["api", "worker"]) {
      const budget = named("PodDisruptionBudget", `riskq-${app}`);
      expect(budget.spec.selector.matchLabels, app).toEqual(
        named("Deployment", `riskq-${app}`).spec.selector.matchLabels,
      );
      expect(budget.spec.minAvailable ?? budget.spec.maxUnavailable, app).toBeDefined();
    }
    // The worker's and scheduler's SHUTDOWN_GRACE_MS; the API's and dashboard's fixed graces.
    const graces: Record<string, number> = {
      worker: Number(envOf(named("Deployment", "riskq-worker")).SHUTDOWN_GRACE_MS),
      scheduler: Number(envOf(named("Deployment", "riskq-scheduler")).SHUTDOWN_GRACE_MS),
      api: 15_000,
      dashboard: 5_000,
    };
    for (const [app, graceMs] of Object.entries(graces)) {
      expect(graceMs, app).toBeGreaterThan(0);
      const seconds = named("Deployment", `riskq-${app}`).spec.template.spec.terminationGracePeriodSeconds;
      expect(seconds * 1_000, app).toBeGreaterThan(graceMs);
    }
  });

  it("sets only variables the README documents, secrets only as files of the mounted Secret", () => {
    const documented = readmeVariables();
    const secretVariables = [
      "RISKQ_API_KEYS",
      "RISKQ_SECRET_KEY",
      "RISKQ_CALLBACK_SECRET",
      "DASHBOARD_PASSWORD",
    ];
    for (const deployment of ofKind("Deployment")) {
      const name = deployment.metadata!.name!;
      const env = envOf(deployment);
      for (const variable of Object.keys(env)) expect(documented, `${name} ${variable}`).toContain(variable);
      for (const variable of secretVariables) expect(env[variable], `${name} ${variable}`).toBeUndefined();
      // Every file under /run/secrets/riskq it names is an item of the Secret mounted there.
      const container = containerOf(deployment);
      const mount = container.volumeMounts?.find((m) => m.mountPath === "/run/secrets/riskq");
      const volume = deployment.spec.template.spec.volumes?.find(
        (v: { name: string }) => v.name === mount?.name,
      );
      const items: string[] = (volume?.secret?.items ?? []).map((i: { path: string }) => i.path);
      for (const value of Object.values(env).filter((v) => v.startsWith("/run/secrets/"))) {
        expect(value.startsWith("/run/secrets/riskq/"), `${name} ${value}`).toBe(true);
        expect(items, `${name} ${value}`).toContain(value.slice("/run/secrets/riskq/".length));
      }
    }
  });

  it("autoscales the workers with KEDA on the list where BullMQ keeps the score queue's waiting jobs", async () => {
    const scaled = named("ScaledObject", "riskq-worker");
    expect(scaled.spec.scaleTargetRef.name).toBe("riskq-worker");
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe("redis");
    expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
    expect(trigger.metadata.address).toBe(new URL(config.REDIS_URL!).host);
    expect(trigger.metadata.listName).toBe(`${config.RISKQ_PREFIX}:${QUEUES.score}:wait`);

    // And that is where jobs wait: enqueue one on a prefix of this test's own and find it there.
    await using testRedis = await createTestRedis();
    const queue = createScoreQueue({ connection: testRedis.redis, prefix: testRedis.prefix });
    try {
      const key = trigger.metadata.listName.replace(config.RISKQ_PREFIX, testRedis.prefix);
      await queue.add("transaction_anomaly", {} as never, { jobId: "keda-probe" });
      expect(await testRedis.redis.type(key)).toBe("list");
      expect(await testRedis.redis.lrange(key, 0, -1)).toEqual(["keda-probe"]);
    } finally {
      await queue.close();
    }
  });
});

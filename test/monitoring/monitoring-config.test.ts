import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promtool, REPO_ROOT, requireBinary, runTool } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { exportedFamilies, isExported, riskqNamesIn } from "./support/metric-names";
import { type RiskqPages, scrapeRiskqPages } from "./support/riskq-pages";

const RULES = join(REPO_ROOT, "deploy/prometheus/riskq-rules.yml");
const RULE_TESTS = join(REPO_ROOT, "deploy/prometheus/riskq-rules.test.yml");
const DASHBOARD = join(REPO_ROOT, "deploy/grafana/riskq-dashboard.json");
const RUNBOOK = join(REPO_ROOT, "docs/runbook.md");
const README = join(REPO_ROOT, "README.md");
/** Where the metrics table lives ("Metrics"), with the monitoring set-up. */
const METRICS_DOC = join(REPO_ROOT, "docs/metrics.md");
/** Grafana's reference to the dashboard's `datasource` variable (a literal, not a JS template). */
const DATASOURCE_VARIABLE = ["$", "{datasource}"].join("");

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(readFileSync(RULES, "utf8")) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (g) => g.rules,
);

interface Panel {
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
  schemaVersion: number;
  title: string;
  panels: Panel[];
  templating?: { list: Array<{ name: string; type: string; query?: string }> };
  __inputs?: Array<{ name: string; pluginId: string }>;
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const dashboardExprs = panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

let pages: RiskqPages;
let stop: (() => Promise<void>) | undefined;
let families: Map<string, string>;

beforeAll(async () => {
  // Before the stack: a missing binary fails at once, saying how to install it.
  requireBinary("promtool");
  const scraped = await scrapeRiskqPages();
  pages = scraped.pages;
  stop = scraped.stop;
  families = new Map([
    ...exportedFamilies(pages.api),
    ...exportedFamilies(pages.worker),
    ...exportedFamilies(pages.scheduler),
  ]);
}, 180_000);
afterAll(() => stop?.());

/** The names of `text` that no riskq process exports. */
const unexported = (text: string) => riskqNamesIn(text).filter((name) => !isExported(name, families));

describe("metrics pages", () => {
  it.each(["api", "worker", "scheduler"] as const)(
    "the %s's riskq_* metrics pass promtool check metrics",
    (kind) => {
      // Only riskq's own families: Node's default metrics are prom-client's, not ours to rename.
      const riskqOnly = pages[kind]
        .split("\n")
        .filter((line) => /^(# (HELP|TYPE) )?riskq_/.test(line))
        .join("\n");
      expect(riskqOnly).toContain("# TYPE riskq_");
      const { status, output } = promtool(["check", "metrics"], `${riskqOnly}\n`);
      expect(output.trim()).toBe("");
      expect(status).toBe(0);
    },
  );

  it("export every metric the metrics table of docs/metrics.md lists, and the table lists every riskq metric", () => {
    const metricsDoc = readFileSync(METRICS_DOC, "utf8");
    // A row's first cell names one metric, or several of one type ("`a` / `b` / `c`").
    const documented = new Map(
      [...metricsDoc.matchAll(/^\| (`riskq_\w+`(?: \/ `riskq_\w+`)*) \| (\w+) \|/gm)].flatMap((m) =>
        riskqNamesIn(m[1]!).map((name) => [name, m[2]!] as const),
      ),
    );
    const riskqFamilies = new Map([...families].filter(([name]) => name.startsWith("riskq_")));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(riskqFamilies));
  });

  it("every riskq_* name the README or any of docs/*.md mentions is exported by some process", () => {
    // The README's sections moved into docs/ (the metrics table into docs/metrics.md): check them all.
    const docs = readdirSync(join(REPO_ROOT, "docs"))
      .filter((name) => name.endsWith(".md"))
      .map((name) => join(REPO_ROOT, "docs", name));
    expect(docs).toEqual(expect.arrayContaining([METRICS_DOC, RUNBOOK]));
    for (const file of [README, ...docs]) {
      expect(unexported(readFileSync(file, "utf8")), file).toEqual([]);
    }
  });
});

describe("Prometheus alert rules", () => {
  it("pass promtool check rules, and their unit tests pass", () => {
    const checked = promtool(["check", "rules", RULES]);
    expect(checked.output).toContain("SUCCESS");
    expect(checked.status).toBe(0);
    const tested = promtool(["test", "rules", RULE_TESTS]);
    expect(tested.output).toContain("SUCCESS");
    expect(tested.status).toBe(0);
  });

  it("name only metrics some riskq process exports", () => {
    expect(rules.length).toBeGreaterThanOrEqual(7);
    for (const rule of rules) {
      expect(riskqNamesIn(rule.expr).length, rule.alert).toBeGreaterThan(0);
      expect(unexported(rule.expr), rule.alert).toEqual([]);
    }
  });

  it("each carry a severity and a runbook_url that resolves to a section of docs/runbook.md", () => {
    const anchors = new Set(
      [...readFileSync(RUNBOOK, "utf8").matchAll(/^#{1,6} (.+)$/gm)].map((m) => githubAnchor(m[1]!)),
    );
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning|info)$/);
      const [path, anchor] = (rule.annotations?.runbook_url ?? "").split("#");
      expect(path, rule.alert).toBe("docs/runbook.md");
      expect(anchors.has(anchor ?? ""), `${rule.alert}: #${anchor}`).toBe(true);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });
});

describe("the compose monitoring profile's configuration", () => {
  it("Prometheus's config (scrape jobs, rules, Alertmanager) passes promtool check config", () => {
    const { status, output } = promtool([
      "check",
      "config",
      join(REPO_ROOT, "deploy/prometheus/prometheus.yml"),
    ]);
    expect(output).toContain("is valid prometheus config file syntax");
    expect(status).toBe(0);
  });

  it("Alertmanager's config passes amtool check-config", () => {
    const config = join(REPO_ROOT, "deploy/alertmanager/alertmanager.yml");
    const { status, output } = runTool("amtool", ["check-config", config]);
    expect(output).toContain("SUCCESS");
    expect(status).toBe(0);
  });
});

describe("Grafana dashboard", () => {
  it("is importable: a schema version, a Prometheus datasource variable every panel and target uses", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(30);
    expect(dashboard.title).toBeTruthy();
    const variable = dashboard.templating?.list.find((v) => v.type === "datasource");
    expect(variable).toMatchObject({ name: "datasource", query: "prometheus" });
    for (const panel of panels.filter((p) => p.targets)) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE_VARIABLE);
      for (const target of panel.targets ?? [])
        expect(target.datasource?.uid, panel.title).toBe(DATASOURCE_VARIABLE);
    }
  });

  it("covers throughput, decisions, latency, limits, breakers, dead letters, cost and credentials", () => {
    const all = dashboardExprs.map((e) => e.expr).join("\n");
    for (const name of [
      "riskq_jobs_completed_total",
      "riskq_decisions_total",
      "riskq_decision_latency_seconds_bucket",
      "riskq_limiter_rate_per_second",
      "riskq_alipay_rate_limited_total",
      "riskq_circuit_breaker_state",
      "riskq_dead_letters",
      "riskq_alipay_billed_usd_total",
      "riskq_merchant_token_expiry_timestamp_seconds",
      "riskq_aes_key_expiry_timestamp_seconds",
    ])
      expect(riskqNamesIn(all)).toContain(name);
    expect(all).toMatch(
      /histogram_quantile\(0\.99, sum by \(le\) \(rate\(riskq_decision_latency_seconds_bucket/,
    );
  });

  it("queries only metrics some riskq process exports, in PromQL promtool parses", () => {
    expect(dashboardExprs.length).toBeGreaterThanOrEqual(10);
    for (const { panel, expr } of dashboardExprs) {
      expect(riskqNamesIn(expr).length, panel).toBeGreaterThan(0);
      expect(unexported(expr), panel).toEqual([]);
    }
    // promtool parses rule expressions: the panels' queries, as recording rules, must pass.
    const dir = mkdtempSync(join(tmpdir(), "riskq-dashboard-"));
    try {
      const file = join(dir, "dashboard-queries.yml");
      const recorded = dashboardExprs.map(({ expr }, i) => ({ record: `dashboard:query_${i}`, expr }));
      writeFileSync(file, JSON.stringify({ groups: [{ name: "dashboard", rules: recorded }] }));
      const { status, output } = promtool(["check", "rules", file]);
      expect(output).toContain(`SUCCESS: ${recorded.length} rules found`);
      expect(status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

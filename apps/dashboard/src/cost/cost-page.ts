import { type BudgetStatus, UNITS_PER_USD, usdOf } from "@riskq/cost";
import { batchColours, billCharts, usdShort } from "./bill-chart";
import { type BillProjection, MONTH_DAYS } from "./bill-curves";
import { type CostReport, TRAFFIC_WINDOW_DAYS } from "./cost-report";
import { esc } from "./html-escape";
import type { SpendTotals } from "./spend";

/** Where the page links back to (Bull Board) and its JSON twin. */
export interface CostPageLinks {
  board: string;
  json: string;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
header{display:flex;gap:1.5em;align-items:baseline;padding:.8em 1.5em;background:#1f2933;color:#fff}
header h1{font-size:1.2em;margin:0}header a{color:#9fd3ff}
main{padding:1em 1.5em;max-width:1200px}
section{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:1em 1.2em;margin-bottom:1em}
h2{font-size:1.05em;margin:0 0 .6em}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{min-width:16em;border:1px solid #e4e7eb;border-radius:6px;padding:.6em .9em}
.big{font-size:1.6em;font-weight:600}.muted{color:#616e7c}
table{border-collapse:collapse;margin:.4em 0}th,td{text-align:left;padding:.25em .8em .25em 0;border-bottom:1px solid #eef1f4}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;gap:1em;flex-wrap:wrap}
.bill-chart{background:#fff;font-size:11px}.bill-chart .panel-title{font-size:13px;font-weight:600}
.grid{stroke:#eef1f4}.axis{stroke:#7b8794}.recorded-line{stroke:#7b8794;stroke-dasharray:2 3}
.current-threshold{stroke:#111;stroke-dasharray:5 4}.current-label,.current-value{font-weight:600}
.legend{display:flex;gap:1.2em;flex-wrap:wrap;margin:.3em 0}.now{font-weight:700}
code{background:#eef1f4;padding:0 .25em;border-radius:3px}
.empty{border-left:4px solid #f0b429;padding:.4em .8em;background:#fffbea}`;

/** The cost page: server-rendered HTML with inline SVG, no script and nothing fetched. */
export function costPage(report: CostReport, links: CostPageLinks): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>riskq · cost</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><header><h1>riskq · cost</h1><a href="${esc(links.board)}">← queues (Bull Board)</a><a href="${esc(links.json)}">JSON</a>
<span class="muted">as of ${esc(new Date(report.generatedAt).toISOString().replace("T", " ").slice(0, 19))} UTC</span></header>
<main>
${spendSection(report)}
${projectionSection(report)}
</main></body></html>`;
}

function spendSection(report: CostReport): string {
  const { spend } = report;
  return `<section id="spend"><h2>Spend so far</h2>
<div class="cards">${card(`Today (${spend.day}, UTC)`, spend.today)}${card(`This month (${spend.month})`, spend.thisMonth)}</div>
<p class="muted">From the workers' cost ledger: what Alipay billed for every answered call, plus an estimate for
calls whose answer was lost (client timeout). The budgets below count the same calls at the moment they
are made (worst-case reservations until the bill is known).</p>
<h2>Budgets</h2>${budgetsBlock(spend.budgets)}
${merchantsBlock(report)}</section>`;
}

function card(title: string, t: SpendTotals): string {
  const estimate =
    t.estimatedCalls > 0
      ? `<div class="muted">billed $${usdOf(t.billedUnits)} + estimated $${usdOf(t.estimatedUnits)} (${t.estimatedCalls} lost answers)</div>`
      : "";
  return `<div class="card"><div class="muted">${esc(title)}</div><div class="big">$${usdOf(t.billedUnits + t.estimatedUnits)}</div>
${estimate}<div class="muted">${t.calls} calls · ${t.items} items · ${round2(t.flagged)} flagged</div></div>`;
}

function budgetsBlock(budgets: BudgetStatus[] | undefined): string {
  if (budgets === undefined) {
    return `<p><strong>No budget.</strong> <span class="muted"><code>RISKQ_BUDGET_DAILY_USD</code>, <code>RISKQ_BUDGET_MONTHLY_USD</code>
and the per-merchant budget variables are unset, so the workers spend without a limit.</span></p>`;
  }
  if (budgets.length === 0) return `<p>No global budget; merchants' own budgets are listed below.</p>`;
  return budgetTable(budgets);
}

function budgetTable(budgets: BudgetStatus[]): string {
  const rows = budgets.map((b) => {
    const left = Math.max(0, b.limitUsd - b.spentUsd - b.reservedUsd);
    return `<tr><td>${esc(b.name)}</td><td>${esc(b.period.id)}</td><td class="num">${usdShort(b.limitUsd)}</td>
<td class="num">${usdShort(b.spentUsd)}</td><td class="num">${usdShort(b.reservedUsd)}</td><td class="num">${usdShort(left)}</td>
<td><meter min="0" max="${b.limitUsd}" low="${0.8 * b.limitUsd}" high="${0.9 * b.limitUsd}" optimum="0" value="${b.spentUsd + b.reservedUsd}"></meter></td></tr>`;
  });
  return `<table><thead><tr><th>budget</th><th>period (UTC)</th><th class="num">limit</th><th class="num">spent</th>
<th class="num">reserved</th><th class="num">left</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function merchantsBlock(report: CostReport): string {
  const { merchants, merchantCount } = report.spend;
  if (merchants.length === 0) return "";
  const more =
    merchantCount > merchants.length
      ? `<p class="muted">${merchants.length} of ${merchantCount} merchants shown; <code>pnpm riskq cost report</code> lists every one.</p>`
      : "";
  const rows = merchants.map((m) => {
    const own = m.budgets.map(
      (b) =>
        `${b.period.kind === "day" ? "daily" : "monthly"} ${usdShort(b.spentUsd)} of ${usdShort(b.limitUsd)}`,
    );
    return `<tr><td>${esc(m.merchantId)}</td><td class="num">$${usdOf(m.today.billedUnits + m.today.estimatedUnits)}</td>
<td class="num">$${usdOf(m.month.billedUnits + m.month.estimatedUnits)}</td><td>${esc(own.join(" · ") || "—")}</td></tr>`;
  });
  return `<h2>By merchant (this month)</h2><table><thead><tr><th>merchant</th><th class="num">today</th>
<th class="num">this month</th><th>own budgets</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
}

function projectionSection(report: CostReport): string {
  const p = report.projection;
  const heading = `<h2>Projected monthly bill against <code>confidence_threshold</code></h2>`;
  if (p === undefined) {
    return `<section id="projection">${heading}<div class="empty" id="no-traffic"><p><strong>Nothing recorded yet</strong> in the last ${TRAFFIC_WINDOW_DAYS} days
(${esc(report.window.from)} to ${esc(report.window.to)}, UTC): no bill to project.</p>
<p>Workers record every Alipay call (its bill, its items' confidences, its batch size) as they score. Run traffic
through the worker on this Redis and <code>RISKQ_PREFIX</code> — <code>pnpm sandbox</code>, <code>pnpm api</code> and
<code>pnpm worker</code>, then enqueue scores (<code>POST /v1/scores</code> or <code>pnpm riskq enqueue</code>) — and reload.</p></div></section>`;
  }
  const c = p.current;
  const thresholdSource =
    c.threshold.source === "default"
      ? "the contract's default, which the recorded flags agree with"
      : "inferred from the recorded traffic: the confidences at or above it match the recorded flag count";
  const prefilterNote =
    c.prefilterSetting === "shadow" ? " (shadow judges but sends every item: billed as off)" : "";
  return `<section id="projection">${heading}
<p>The recorded traffic of ${p.days.length} day${p.days.length === 1 ? "" : "s"} (${esc(p.days[0] ?? "")} to ${esc(p.days.at(-1) ?? "")})
re-priced by the simulator at each threshold, batch size and pre-filter mode, scaled to ${MONTH_DAYS} days
(as <code>pnpm riskq cost simulate</code>). As billed, that traffic comes to <strong>${usdShort(p.recordedMonthlyUnits / UNITS_PER_USD)}</strong>
a month (dotted line).</p>
<p class="now">Current setting: threshold ${c.threshold.value.toFixed(2)} <span class="muted">(${thresholdSource})</span>,
batch size ${c.batchSize} <span class="muted">(BATCH_CAP)</span>, pre-filter ${esc(c.prefilterSetting)}${prefilterNote}
→ <span id="current-bill">${usdShort(c.monthlyUnits / UNITS_PER_USD)}</span> a month.</p>
${legend(p)}
<div class="charts">${billCharts(p).join("\n")}</div>
${notes(p)}
${valueTable(p)}</section>`;
}

function legend(p: BillProjection): string {
  const items = [...batchColours(p)].map(
    ([size, colour]) =>
      `<span><svg width="26" height="10" aria-hidden="true"><line x1="0" x2="26" y1="5" y2="5" stroke="${colour}" stroke-width="${size === p.current.batchSize ? 3 : 1.6}"/></svg> batch ${size}${size === p.current.batchSize ? " (current)" : ""}</span>`,
  );
  return `<div class="legend">${items.join("")}<span class="muted">◎ current setting · dashed: current threshold · dotted: as billed</span></div>`;
}

function notes(p: BillProjection): string {
  if (p.notes.length === 0) return "";
  return `<details><summary>Assumptions behind some points (${p.notes.length})</summary><ul>${p.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul></details>`;
}

/** The curves' values every 0.05, for reading exact numbers off the plot. */
function valueTable(p: BillProjection): string {
  const head = p.curves
    .map((c) => `<th class="num">pre-filter ${c.prefilter}<br>batch ${c.batchSize}</th>`)
    .join("");
  const rows = p.thresholds
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => Math.round(t * 100) % 5 === 0)
    .map(({ t, i }) => {
      const cells = p.curves.map((c) => {
        const now =
          t === p.current.threshold.value &&
          c.batchSize === p.current.batchSize &&
          c.prefilter === p.current.prefilter;
        const text = usdShort((c.monthlyUnits[i] ?? 0) / UNITS_PER_USD);
        return `<td class="num">${now ? `<strong>${text}</strong>` : text}</td>`;
      });
      return `<tr><td>${t.toFixed(2)}</td>${cells.join("")}</tr>`;
    });
  return `<details><summary>Values (USD / month)</summary><table><thead><tr><th>threshold</th>${head}</tr></thead>
<tbody>${rows.join("")}</tbody></table></details>`;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

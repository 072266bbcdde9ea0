/**
 * The validation report as one self-contained HTML file: inline CSS, inline SVG charts, no
 * scripts, no fonts, no external assets, so it opens offline and can be attached to a ticket.
 */
import { count } from "../util/text.js";
import { formatCell } from "./outcome.js";
import type { CategoricalProfile, ColumnProfile, NumericProfile } from "./profile-schema.js";
import type { CheckResult, LeakageResult, ValidationReport } from "./types.js";

/** Escape text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) =>
    ch === "&" ? "&amp;" : ch === "<" ? "&lt;" : ch === ">" ? "&gt;" : ch === '"' ? "&quot;" : "&#39;",
  );
}

function num(x: number | null, dtype?: NumericProfile["dtype"]): string {
  if (x === null) return "–";
  // Beyond ±8.64e15 ms a Date is invalid (toISOString throws): show the number instead.
  if (dtype === "datetime" && Math.abs(x) <= 8.64e15)
    return new Date(x).toISOString().replace("T00:00:00.000Z", "").replace(".000Z", "Z");
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return count(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e9) ? x.toExponential(3) : String(Number(x.toPrecision(5)));
}

const CSS = `
:root{--ok:#1a7f37;--err:#cf222e;--warn:#9a6700;--fg:#1f2328;--mute:#656d76;--line:#d0d7de;--bar:#4c78a8;--bg2:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600;font-size:13px}
.badge.ok{background:var(--ok)}.badge.err{background:var(--err)}.muted{color:var(--mute)}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg2);font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.lv-error{color:var(--err);font-weight:600}.lv-warn{color:var(--warn);font-weight:600}.pass{color:var(--ok)}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg2);padding:1px 4px;border-radius:4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px}.card h3{font-size:15px;margin:0 0 2px;word-break:break-all}
.card table td,.card table th{padding:2px 6px;font-size:12px;border:0}svg{display:block;margin-top:6px}
details summary{cursor:pointer;color:var(--mute)}rect.bar{fill:var(--bar)}
`;

function levelCell(c: CheckResult): string {
  return `<td class="lv-${c.level}">${c.level}</td>`;
}

function examplesCell(c: CheckResult): string {
  if (c.examples.length === 0) return "<td></td>";
  return `<td>${c.examples.map((e) => `<code>row ${count(e.row)}: ${escapeHtml(formatCell(e.value))}</code>`).join(" ")}</td>`;
}

function failuresTable(failures: readonly CheckResult[]): string {
  if (failures.length === 0) return `<p class="pass">Every check passed.</p>`;
  const rows = failures.map(
    (f) =>
      `<tr>${levelCell(f)}<td>${f.check}</td><td>${escapeHtml(f.column ?? "")}</td><td class="n">${f.failingRows > 0 ? count(f.failingRows) : ""}</td><td>${escapeHtml(f.message)}</td>${examplesCell(f)}</tr>`,
  );
  return `<table><thead><tr><th>level</th><th>check</th><th>column</th><th>rows</th><th>what was found</th><th>examples</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function allChecksTable(checks: readonly CheckResult[]): string {
  const rows = checks.map(
    (c) =>
      `<tr><td class="${c.passed ? "pass" : `lv-${c.level}`}">${c.passed ? "passed" : "failed"}</td><td>${c.level}</td><td>${c.check}</td><td>${escapeHtml(c.column ?? "")}</td><td>${escapeHtml(c.message)}</td></tr>`,
  );
  return `<details><summary>All ${count(checks.length)} checks</summary><table><thead><tr><th>result</th><th>level</th><th>check</th><th>column</th><th>message</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

function leakageTable(leakage: readonly LeakageResult[]): string {
  if (leakage.length === 0) return "";
  const sorted = [...leakage].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  const rows = sorted.map(
    (l) =>
      `<tr><td>${escapeHtml(l.column)}</td><td>${l.kind}</td><td>${l.measure ?? "–"}</td><td class="n">${l.score === null ? "–" : l.score.toFixed(4)}</td><td class="${l.flagged ? "lv-error" : "pass"}">${l.flagged ? "flagged" : l.idLike ? "id-like" : "ok"}</td><td class="muted">${escapeHtml(l.note ?? "")}</td></tr>`,
  );
  return `<h2>Leakage: each feature alone against the target</h2><table><thead><tr><th>feature</th><th>kind</th><th>measure</th><th>score</th><th></th><th>note</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** A bar chart of a numeric histogram. */
function histogramSvg(p: NumericProfile): string {
  if (p.histogram === null) return "";
  const { edges, counts } = p.histogram;
  const w = 300;
  const h = 70;
  const max = Math.max(1, ...counts);
  const bw = w / counts.length;
  const bars = counts
    .map((c, i) => {
      const bh = c === 0 ? 0 : Math.max(1, (c / max) * (h - 2));
      return `<rect x="${(i * bw + 0.5).toFixed(1)}" y="${(h - bh).toFixed(1)}" width="${Math.max(0.5, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" class="bar"><title>[${escapeHtml(num(edges[i]!, p.dtype))}, ${escapeHtml(num(edges[i + 1]!, p.dtype))}${i === counts.length - 1 ? "]" : ")"}: ${count(c)}</title></rect>`;
    })
    .join("");
  return `<svg width="${w}" height="${h + 14}" viewBox="0 0 ${w} ${h + 14}" role="img" aria-label="histogram of ${escapeHtml(p.name)}">${bars}<line x1="0" y1="${h}" x2="${w}" y2="${h}" stroke="#8c959f"/><text x="0" y="${h + 12}" font-size="10" fill="#656d76">${escapeHtml(num(edges[0]!, p.dtype))}</text><text x="${w}" y="${h + 12}" font-size="10" fill="#656d76" text-anchor="end">${escapeHtml(num(edges[edges.length - 1]!, p.dtype))}</text></svg>`;
}

/** Horizontal bars of the most frequent values. */
function topSvg(p: CategoricalProfile): string {
  const top = p.top.slice(0, 10);
  if (top.length === 0) return "";
  const w = 300;
  const rowH = 16;
  const labelW = 120;
  const max = Math.max(1, ...top.map((t) => t.count));
  const bars = top
    .map((t, i) => {
      const y = i * rowH;
      const bw = Math.max(1, ((w - labelW - 50) * t.count) / max);
      const label = t.value.length > 18 ? `${t.value.slice(0, 17)}…` : t.value;
      return `<text x="${labelW - 4}" y="${y + 12}" font-size="11" text-anchor="end">${escapeHtml(label)}</text><rect x="${labelW}" y="${y + 3}" width="${bw.toFixed(1)}" height="${rowH - 5}" class="bar"><title>${escapeHtml(t.value)}: ${count(t.count)}</title></rect><text x="${(labelW + bw + 4).toFixed(1)}" y="${y + 12}" font-size="10" fill="#656d76">${(t.fraction * 100).toFixed(1)}%</text>`;
    })
    .join("");
  return `<svg width="${w}" height="${top.length * rowH + 2}" viewBox="0 0 ${w} ${top.length * rowH + 2}" role="img" aria-label="top values of ${escapeHtml(p.name)}">${bars}</svg>`;
}

function statRows(pairs: readonly [string, string][]): string {
  return `<table>${pairs.map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>`;
}

function distinctText(p: ColumnProfile): string {
  return p.distinct.capped ? `> ${count(p.distinct.count)}` : count(p.distinct.count);
}

function columnCard(p: ColumnProfile): string {
  const total = p.count + p.missing;
  const missing = `${count(p.missing)}${total > 0 && p.missing > 0 ? ` (${((p.missing / total) * 100).toFixed(1)}%)` : ""}`;
  let body: string;
  let kind: string;
  if (p.kind === "numeric") {
    kind = p.dtype;
    const q = (level: number): string => num(p.quantiles.find((x) => x.q === level)?.value ?? null, p.dtype);
    body =
      statRows([
        ["count", count(p.count)],
        ["missing", missing + (p.invalid > 0 ? `, ${count(p.invalid)} unparsable` : "")],
        ["distinct", distinctText(p)],
        ["min / max", `${num(p.min, p.dtype)} / ${num(p.max, p.dtype)}`],
        ["mean ± std", p.dtype === "datetime" ? "–" : `${num(p.mean)} ± ${num(p.std)}`],
        ["p5 / p50 / p95", `${q(0.05)} / ${q(0.5)} / ${q(0.95)}`],
        ["zeros", count(p.zeros)],
      ]) + histogramSvg(p);
  } else if (p.kind === "categorical") {
    kind = "category";
    body =
      statRows([
        ["count", count(p.count)],
        ["missing", missing],
        ["distinct", distinctText(p)],
        ["other", count(p.otherCount)],
      ]) + topSvg(p);
  } else {
    kind = "text";
    body = statRows([
      ["count", count(p.count)],
      ["missing", missing],
      ["distinct", distinctText(p)],
      ["length", p.minLength === null ? "–" : `${p.minLength}–${p.maxLength ?? ""}`],
      ["examples", p.examples.map((e) => JSON.stringify(e)).join(", ")],
    ]);
  }
  return `<div class="card"><h3>${escapeHtml(p.name)} <span class="muted">${kind}</span></h3>${body}</div>`;
}

/**
 * The report as an HTML fragment (no `<html>` wrapper), for embedding in other reports. Its
 * styles are in {@link VALIDATION_CSS}.
 */
export function renderValidationSection(report: ValidationReport): string {
  const q = report.rowFailures.rows.length;
  const status = report.passed
    ? `<span class="badge ok">passed</span>`
    : `<span class="badge err">failed</span>`;
  return `<section class="sluice-validation">
<p>${status} ${count(report.rows)} rows × ${count(report.columns)} columns · <span class="${report.errors > 0 ? "lv-error" : "muted"}">${count(report.errors)} error${report.errors === 1 ? "" : "s"}</span> · <span class="${report.warnings > 0 ? "lv-warn" : "muted"}">${count(report.warnings)} warning${report.warnings === 1 ? "" : "s"}</span>${q > 0 ? ` · ${count(q)} row${q === 1 ? "" : "s"} can be quarantined` : ""}</p>
<h2>Failed checks</h2>
${failuresTable(report.failures)}
${allChecksTable(report.checks)}
${leakageTable(report.leakage)}
<h2>Columns</h2>
<div class="cards">${report.profile.columns.map(columnCard).join("\n")}</div>
</section>`;
}

/** The stylesheet of {@link renderValidationSection}. */
export const VALIDATION_CSS = CSS;

/**
 * The whole report as one self-contained HTML document: summary, failed checks with example
 * rows, every check, leakage scores, and a card per column with its statistics and an inline SVG
 * histogram or top-values chart. No scripts and no external assets: it opens offline.
 *
 * @example
 * writeFileAtomicSync("validation.html", renderValidationHtml(report, { title: "churn: data validation" }));
 */
export function renderValidationHtml(report: ValidationReport, options: { title?: string } = {}): string {
  const title = options.title ?? "Data validation";
  return htmlPage(
    title,
    "",
    `<p class="muted">Sluice ${escapeHtml(report.sluiceVersion)} · report format ${report.formatVersion}</p>
${renderValidationSection(report)}`,
  );
}

/**
 * A whole self-contained page in the house style: the title as `<title>` and `<h1>`, the
 * report stylesheet plus `css`, then `body` (HTML). Every report Sluice writes is one of these.
 */
export function htmlPage(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}${css}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

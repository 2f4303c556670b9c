// One self-contained HTML file: styles, the data as JSON, Chart.js + chartjs-chart-matrix and the
// renderer all inline, so that the report opens offline and makes no network request.
import type { ComparisonResult } from '../eval/types.ts';
import { VERSION } from '../version.ts';
import { reportAssets, type Asset } from './assets.ts';
import { CLIENT_JS } from './client.ts';
import { engineSections, type PanelSource } from './panels.ts';
import { affinitySection, type AffinityReport } from './selection.ts';
import { buildReport, heatmapLayout, type ChartSpec, type ReportContent, type ReportExtras, type Section } from './specs.ts';

export interface RenderOptions {
  readonly title?: string;
  /** Shown in the footer; defaults to now (tests pass a fixed date). */
  readonly generatedAt?: Date;
  /** Override the inlined libraries (tests). */
  readonly assets?: readonly Asset[];
  /** Selection panels (`polytask group`) and further models' engine panels. */
  readonly extras?: ReportExtras;
}

/** Text content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON that is safe inside <script type="application/json">: every '<' becomes \u003c, so neither
 * '</script>' nor '<!--' can end or confuse the element; U+2028/2029 are escaped for old parsers.
 * JSON.parse reads the escapes back to the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A library's code made safe to inline in <script>: its source-map comment is removed (a browser
 * with developer tools open would otherwise try to fetch the .map file) and any '</script' inside
 * it (only possible within a string literal) is written '<\/script', which JavaScript reads the same.
 */
export function scriptSafe(code: string): string {
  return code.replace(/\/[/*][#@]\s*sourceMappingURL=[^\n]*/g, '').replace(/<\/(script)/gi, '<\\/$1');
}

const CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --accent: #0b5cad; --bg-soft: #f5f6f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 6px; padding-top: 8px; border-top: 1px solid var(--line); }
.subtitle, .intro, footer { color: var(--muted); }
.verdict { background: #eef5fc; border-left: 4px solid var(--accent); padding: 10px 16px; margin: 16px 0; }
.verdict p { margin: 4px 0; }
.verdict p:first-child { font-weight: 600; }
table { border-collapse: collapse; margin: 12px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: var(--bg-soft); font-weight: 600; }
tr.best td { font-weight: 600; }
nav { margin: 8px 0 0; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
figure { margin: 16px 0 24px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.chart-box { position: relative; width: 100%; }
.scroll { overflow-x: auto; }
.empty { padding: 14px 16px; background: var(--bg-soft); color: var(--muted); border-radius: 4px; }
.notes { margin: 6px 0; padding-left: 20px; }
.colorbar { display: flex; align-items: center; gap: 8px; font-size: 13px; color: var(--muted); margin-top: 4px; }
.colorbar span.bar { display: inline-block; width: 180px; height: 10px; border: 1px solid var(--line); }
.diverging { background: linear-gradient(to right, rgb(33,102,172), #fff, rgb(178,24,43)); }
.sequential { background: linear-gradient(to right, #fff, rgb(8,48,107)); }
.legend-swatch { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; }
`;

/** Canvas box size: tall enough for a heatmap's rows, wide enough for many bars. */
function boxStyle(c: ChartSpec): { style: string; scroll: boolean } {
  if (c.kind === 'heatmap') {
    const { width: w, height: layoutH } = heatmapLayout(c.xLabels.length, c.yLabels.length);
    // A strip of one to four rows (a task pair over epochs, two tasks' gates) needs no 320 px.
    const h = c.yLabels.length <= 4 ? Math.min(layoutH, 130 + 45 * c.yLabels.length) : layoutH;
    return { style: `height:${h}px;min-width:${w}px`, scroll: w > 1100 };
  }
  if (c.kind === 'bar') {
    const bars = c.labels.length * (c.stacked ? 1 : c.datasets.length);
    const w = Math.max(0, bars * 6);
    return { style: `height:340px${w > 1100 ? `;min-width:${w}px` : ''}`, scroll: w > 1100 };
  }
  return { style: 'height:340px', scroll: false };
}

function fmtBound(x: number): string {
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

function renderChart(c: ChartSpec): string {
  const { style, scroll } = boxStyle(c);
  const canvas = `<div class="chart-box" style="${style}"><canvas id="${escapeHtml(c.id)}" role="img" aria-label="${escapeHtml(c.title)}"></canvas></div>`;
  const bar =
    c.kind === 'heatmap'
      ? `<div class="colorbar">${escapeHtml(fmtBound(c.min))}<span class="bar ${c.scale}"></span>${escapeHtml(fmtBound(c.max))}</div>`
      : '';
  return `<figure><figcaption>${escapeHtml(c.title)}</figcaption>${scroll ? `<div class="scroll">${canvas}</div>` : canvas}${bar}</figure>`;
}

function renderSection(s: Section): string {
  const notes = s.notes && s.notes.length > 0 ? `<ul class="notes">${s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const body = s.charts.length > 0 ? s.charts.map(renderChart).join('\n') : `<p class="empty">${escapeHtml(s.empty ?? 'Nothing to show.')}</p>`;
  return `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2><p class="intro">${escapeHtml(s.intro)}</p>${notes}${body}</section>`;
}

function renderSummary(r: ReportContent): string {
  if (r.summary.length === 0) return '';
  const head = `<tr>${r.summaryHeader.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = r.summary
    .map(
      (row, i) =>
        `<tr${i === 0 ? ' class="best"' : ''}><td>${escapeHtml(row.model)}</td><td>${escapeHtml(row.primary)}</td><td>${escapeHtml(row.deltaM)}</td>` +
        `<td>${row.helped}</td><td>${row.hurt}</td><td>${escapeHtml(row.chosen)}</td><td>${escapeHtml(row.unconverged)}</td><td>${escapeHtml(row.failed)}</td><td>${escapeHtml(row.seconds)}</td></tr>`,
    )
    .join('');
  return `<table id="summary">${head}${rows}</table>`;
}

/** The whole report as one HTML string. */
export function renderReportHtml(result: ComparisonResult, opts: RenderOptions = {}): string {
  return renderPage(buildReport(result, opts.title, opts.extras), { result }, opts);
}

/**
 * The report of fitted models without a comparison (model files of `polytask train`): only their
 * engine panels (training curves, gates, competition, …), in the same self-contained page.
 */
export function renderModelReportHtml(sources: readonly PanelSource[], opts: RenderOptions = {}): string {
  const sections = engineSections(sources);
  const content: ReportContent = {
    title: opts.title ?? 'polytask model report',
    subtitle: sources.map((s) => `${s.label}: ${s.engine} model "${s.model}" on ${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'} (${s.tasks.join(', ')})`).join('; ') + '.',
    verdict: [
      'What the model learned and how its training went, from its model file. There is no comparison here: held-out test results against single-task learning come from `polytask compare`.',
    ],
    summaryHeader: [],
    summary: [],
    sections: sections.length > 0 ? sections : [{ id: 'panels', title: 'Model panels', intro: 'Panels the models’ engines draw.', charts: [], empty: 'These models record nothing their engine draws.' }],
  };
  return renderPage(content, { models: sources.map((s) => ({ label: s.label, engine: s.engine, model: s.model })) }, opts);
}

/** The report of a task-affinity matrix alone (`polytask affinity --report`, `report --affinity`). */
export function renderAffinityReportHtml(a: AffinityReport, opts: RenderOptions = {}): string {
  const content: ReportContent = {
    title: opts.title ?? 'polytask task-affinity report',
    subtitle: `${a.tasks.length} tasks, model ${a.model}.`,
    verdict: ['Which tasks help which, estimated from the data given — an estimate, not a test: `polytask group` chooses groups from such a matrix and measures them on rows that did not choose them.'],
    summaryHeader: [],
    summary: [],
    sections: [affinitySection(a)],
  };
  return renderPage(content, { affinity: a }, opts);
}

function renderPage(content: ReportContent, data: Record<string, unknown>, opts: RenderOptions): string {
  const assets = opts.assets ?? reportAssets();
  const charts = content.sections.flatMap((s) => s.charts);
  const generated = (opts.generatedAt ?? new Date()).toISOString();
  const libs = assets.map((a) => `<script>/* ${escapeHtml(a.name)} ${escapeHtml(a.version)} */\n${scriptSafe(a.code)}\n</script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(content.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(content.title)}</h1>
<p class="subtitle">${escapeHtml(content.subtitle)}</p>
<div class="verdict" id="verdict">${content.verdict.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</div>
${renderSummary(content)}
<nav>${content.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('')}</nav>
${content.sections.map(renderSection).join('\n')}
<footer><p>Generated by polytask ${escapeHtml(VERSION)} on ${escapeHtml(generated)}. Charts: ${assets.map((a) => `${escapeHtml(a.name)} ${escapeHtml(a.version)}`).join(', ')} (inlined; this file needs no network).</p></footer>
</main>
<script type="application/json" id="polytask-data">${jsonForScript({ charts, ...data })}</script>
${libs}
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}

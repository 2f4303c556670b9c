// Engine panels: every model of a comparison whose fit recorded its engine and model declaration
// is asked for its panels through the estimator registry (ModelDecl.reportPanels,
// src/report/panel.ts). The report groups them into sections and draws them; which panels exist is
// the engines' business. A model whose declaration is not registered in this build, or whose panel
// function throws, gets a note instead of a broken report.
import { allModels, getModel } from '../estimator/registry.ts';
import type { ModelDecl } from '../estimator/contract.ts';
import type { ComparisonResult } from '../eval/types.ts';
import type { PanelContext, ReportPanel } from './panel.ts';
import type { ChartSpec, HeatmapChart, LineChart, Section } from './specs.ts';

/** A fitted model to draw panels for: its name in the report, its declaration and learned record. */
export interface PanelSource {
  readonly label: string;
  readonly engine: string;
  readonly model: string;
  readonly tasks: readonly string[];
  readonly learned: Readonly<Record<string, unknown>>;
}

/** One colour per model in merged charts (Okabe & Ito, then Tableau). */
const MERGE_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#4E79A7', '#59A14F', '#B07AA1', '#9C755F'];

/** A DOM-safe id fragment. */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-');
}

/** The models of a comparison that carry a learned record and name their declaration. */
export function panelSources(r: ComparisonResult): PanelSource[] {
  const tasks = r.dataset.tasks.map((t) => t.name);
  return r.models.flatMap((m) => {
    const f = m.fit;
    return f && f.engine && f.model && f.learned ? [{ label: m.name, engine: f.engine, model: f.model, tasks, learned: f.learned }] : [];
  });
}

/** Sections of every source's panels, in the order sections first appear; ids made unique. */
export function engineSections(sources: readonly PanelSource[]): Section[] {
  const order: string[] = [];
  const bySection = new Map<string, { id: string; title: string; intro: string; charts: ChartSpec[]; notes: string[] }>();
  const problems: string[] = [];
  const used = new Set<string>();
  const merged = new Map<string, { label: string; x: readonly string[]; v: readonly number[] }[]>();
  sources.forEach((src, k) => {
    // The declaration by name; a model spec `arch:method` (compare --models hps:pcgrad) falls back to its architecture's.
    const info = allModels().find((d) => d.name === src.model && d.engine === src.engine) ?? allModels().find((d) => d.name === src.model.split(':')[0] && d.engine === src.engine);
    // The panels are the engine's implementation: its declaration once the engine is loaded.
    const decl = info ? loadedDecl(info.name) : undefined;
    if (!decl) {
      problems.push(`${src.label}: its model "${src.model}" (engine "${src.engine}") is not registered in this build, so its panels are not drawn.`);
      return;
    }
    if (!decl.reportPanels) return;
    let prefix = `panel-${slug(src.label)}`;
    if (used.has(prefix)) prefix = `${prefix}-${k}`;
    used.add(prefix);
    const ctx: PanelContext = { label: src.label, idPrefix: prefix, tasks: src.tasks };
    let panels: readonly ReportPanel[];
    try {
      panels = decl.reportPanels(src.learned, ctx);
    } catch (e) {
      problems.push(`${src.label}: its panels could not be drawn (${e instanceof Error ? e.message : String(e)}).`);
      return;
    }
    for (const p of panels) {
      let s = bySection.get(p.section.id);
      if (!s) {
        s = { id: p.section.id, title: p.section.title, intro: p.section.intro, charts: [], notes: [] };
        bySection.set(p.section.id, s);
        order.push(p.section.id);
      }
      if (p.chart && p.merge && p.chart.kind === 'heatmap' && p.chart.yLabels.length === 1) {
        // One-row heatmaps (e.g. one task pair's cosine per epoch) stack into one: a row per model,
        // columns the union of the models' columns (runs may stop at different epochs: empty cells).
        const id = `panel-merged-${slug(p.merge.key)}`;
        const at = s.charts.findIndex((c) => c.id === id);
        const row = { label: src.label, x: p.chart.xLabels, v: p.chart.values[0]! };
        const prev = at < 0 ? [] : (merged.get(id) ?? []);
        const rows = [...prev, row];
        merged.set(id, rows);
        const xs = [...new Set(rows.flatMap((r) => r.x))];
        if (xs.every((x) => /^-?\d+(\.\d+)?$/.test(x))) xs.sort((a, b) => Number(a) - Number(b));
        const chart: HeatmapChart = {
          ...p.chart,
          id,
          title: p.merge.title,
          xLabels: xs,
          yLabels: rows.map((r) => r.label),
          values: rows.map((r) => xs.map((x) => { const k = r.x.indexOf(x); return k < 0 ? Number.NaN : r.v[k]!; })),
          yLabel: 'model',
        };
        if (at < 0) s.charts.push(chart);
        else s.charts[at] = chart;
      } else if (p.chart && p.merge && p.chart.kind === 'line' && p.chart.datasets.length === 1) {
        const id = `panel-merged-${slug(p.merge.key)}`;
        const at = s.charts.findIndex((c) => c.id === id);
        const line = { ...p.chart.datasets[0]!, label: src.label, color: MERGE_COLORS[k % MERGE_COLORS.length]! };
        if (at < 0) s.charts.push({ ...p.chart, id, title: p.merge.title, datasets: [line] });
        else {
          const c = s.charts[at] as LineChart;
          s.charts[at] = { ...c, datasets: [...c.datasets, line] };
        }
      } else if (p.chart) s.charts.push(p.chart);
      if (p.notes) s.notes.push(...p.notes);
    }
  });
  const sections: Section[] = order.map((id) => {
    const s = bySection.get(id)!;
    return { id: s.id, title: s.title, intro: s.intro, charts: s.charts, ...(s.notes.length > 0 ? { notes: s.notes } : {}), ...(s.charts.length === 0 ? { empty: 'No chart for this section.' } : {}) };
  });
  if (problems.length > 0) {
    sections.push({ id: 'engine-panels', title: 'Model panels not drawn', intro: 'Some models recorded learned state that this build cannot draw.', charts: [], notes: problems, empty: 'See the notes above.' });
  }
  return sections;
}

/** The full declaration of a model whose engine is loaded; undefined when only its descriptor is known. */
function loadedDecl(name: string): ModelDecl | undefined {
  try {
    return getModel(name);
  } catch {
    return undefined;
  }
}

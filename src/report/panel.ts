// The report's extension point: an engine (or one of its models) contributes panels — chart
// specifications of the generic kinds the report draws (line, scatter, heatmap, bar; specs.ts) —
// from a fitted model's `learned` record. The report groups them into sections by `section.id` and
// renders them; it never needs to know what an MMoE gate or a cross-stitch unit is. A new engine
// plugs in by giving its ModelDecl a `reportPanels` function (src/estimator/contract.ts), with no
// edit to src/report.
import type { ChartSpec } from './specs.ts';

/** The section a panel belongs to; panels of several models with the same id share one section. */
export interface PanelSection {
  readonly id: string;
  readonly title: string;
  /** What the section shows and how to read it (the first contributor's text is used). */
  readonly intro: string;
}

export interface ReportPanel {
  readonly section: PanelSection;
  /** Chart ids must be unique in the report: prefix them with PanelContext.idPrefix. */
  readonly chart?: ChartSpec;
  /** Lines of text shown under the section's intro (numbers the chart cannot show exactly). */
  readonly notes?: readonly string[];
  /**
   * Charts of several models with the same key in one section are drawn as one chart (title
   * `merge.title`): single-line charts as one line per model (e.g. conflicting pairs per epoch of
   * hps:ew against hps:pcgrad), one-row heatmaps as one row per model.
   */
  readonly merge?: { readonly key: string; readonly title: string };
}

export interface PanelContext {
  /** The model's name as the report shows it (a comparison's model name, e.g. "hps" or "hps:pcgrad"). */
  readonly label: string;
  /** A DOM-safe, report-unique prefix for chart ids. */
  readonly idPrefix: string;
  /** Task names in the order of the model's outputs. */
  readonly tasks: readonly string[];
}

/** What a model declaration may provide (ModelDecl.reportPanels). */
export type ReportPanelsFn = (learned: Readonly<Record<string, unknown>>, ctx: PanelContext) => readonly ReportPanel[];

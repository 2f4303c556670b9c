// The human-readable tables of a comparison (compare and demo): one row per model, best first,
// with the metric's direction and unit spelled out, then the plain-English verdict.
import type { ComparisonResult, ModelComparison } from '../eval/types.ts';
import { primaryKey, rankModels, verdict } from '../report/verdict.ts';
import { diagnosticLines, failedCell, unconvergedCell } from '../report/diagnostics.ts';
import { meanStd, num, percent, seconds, table } from './format.ts';
import { out, type CliIO } from './io.ts';

/** Secondary aggregate metric shown beside the primary one. */
function secondaryKey(r: ComparisonResult): { key: string; header: string } {
  return r.primaryMetric === 'rmse'
    ? { key: 'explained_variance', header: 'explained var. (↑)' }
    : { key: 'accuracy', header: 'accuracy (↑)' };
}

/** The model-level p-value (task-averaged metric vs the baseline, paired over splits). */
function pValue(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '–';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export function comparisonTable(r: ComparisonResult): string {
  const key = primaryKey(r);
  const sec = secondaryKey(r);
  const T = r.dataset.tasks.length;
  // Linear and neural models are each measured against their own family's baseline (stl, stl-mlp).
  const baseOf = (m: ModelComparison): string => m.baseline ?? r.baseline;
  const families = new Set(r.models.map(baseOf)).size;
  const vs = families > 1 ? 'own baseline' : r.baseline;
  const rows = rankModels(r).map((m) => {
    const p = m.metrics[key];
    const s = m.metrics[sec.key];
    const isBase = baseOf(m) === m.name;
    return [
      m.name,
      p ? meanStd(p.mean, p.std) : '–',
      s ? meanStd(s.mean, s.std, 3) : '–',
      isBase ? '(baseline)' : `${percent(m.delta_m, 2)}${families > 1 ? ` vs ${baseOf(m)}` : ''}`,
      isBase ? '' : pValue(m.vs_stl?.p_value ?? null),
      isBase ? '' : `${m.tasks.filter((t) => t.positive_transfer).length}/${T}`,
      isBase ? '' : `${m.tasks.filter((t) => t.negative_transfer).length}/${T}`,
      unconvergedCell(m),
      failedCell(m),
      seconds(m.seconds / Math.max(1, r.protocol.splits)),
    ];
  });
  return table(
    [
      { header: 'model' },
      { header: `${r.primaryMetric.toUpperCase()} task avg (${r.higherIsBetter ? '↑' : '↓'})`, align: 'right' },
      { header: sec.header, align: 'right' },
      { header: `Δm vs ${vs} (↑)`, align: 'right' },
      { header: `p vs ${vs}`, align: 'right' },
      { header: 'tasks better', align: 'right' },
      { header: 'tasks worse', align: 'right' },
      { header: 'unconverged fits', align: 'right' },
      { header: 'failed', align: 'right' },
      { header: 'time/split', align: 'right' },
    ],
    rows,
  );
}

/** Per-task gains of every model over the baseline (for --verbose). */
export function perTaskTable(r: ComparisonResult): string {
  const models = r.models.filter((m) => m.name !== r.baseline);
  const base = r.models.find((m) => m.name === r.baseline);
  const rows = r.dataset.tasks.map((t) => {
    const b = base?.tasks.find((x) => x.task === t.name)?.[r.primaryMetric];
    return [
      t.name,
      typeof b === 'number' ? num(b) : '–',
      ...models.map((m) => {
        const x = m.tasks.find((y) => y.task === t.name);
        if (!x) return '–';
        return `${percent(x.gain_over_stl)}${x.negative_transfer ? ' ✗' : x.positive_transfer ? ' ✓' : ''}`;
      }),
    ];
  });
  return table(
    [{ header: 'task' }, { header: `${r.baseline} ${r.primaryMetric.toUpperCase()}`, align: 'right' }, ...models.map((m) => ({ header: `${m.name} gain`, align: 'right' as const }))],
    rows,
  );
}

export function printComparison(io: CliIO, r: ComparisonResult, verbose: boolean): void {
  const p = r.protocol;
  out(io, `${r.dataset.source}: ${r.dataset.tasks.length} tasks, ${r.dataset.features.length} features, ${r.dataset.kind}`);
  out(
    io,
    `${p.splits} ${p.splitSource} split${p.splits === 1 ? '' : 's'}${p.splitSource === 'random' ? ` (test ratio ${p.testRatio}, seed ${p.seed})` : ''}, ` +
      `${p.cvFolds}-fold CV inside each training part (${p.rule} rule); ${p.test}, α = ${p.alpha}`,
  );
  if (p.note) out(io, `note: ${p.note}`);
  out(io);
  out(io, comparisonTable(r));
  out(io);
  const own = new Set(r.models.map((m) => m.baseline ?? r.baseline)).size > 1;
  const rel = own ? 'each model\'s own baseline (stl for linear, stl-mlp for neural models)' : r.baseline;
  out(io, `gain and Δm are relative to ${rel} in %, positive = better; "p vs ${own ? 'own baseline' : r.baseline}": paired test of the task-averaged metric over splits; "tasks better/worse" = significantly, per task (${p.test}, α = ${p.alpha}).`);
  out(io, timeLine(r));
  const diag = diagnosticLines(r);
  if (diag.length > 0) {
    out(io);
    out(io, 'Fits to look at:');
    for (const line of diag) out(io, `  ${line}`);
  }
  if (verbose) {
    out(io);
    out(io, 'Per task (✓ significantly better, ✗ significantly worse = negative transfer):');
    out(io, perTaskTable(r));
  }
  out(io);
  for (const line of verdict(r).lines) out(io, line);
}

/** "time/split" is the mean wall time of one model's unit (CV + refit + test on one split); the
 * total is the wall time of the whole run — never a sum of worker times (issue 10: a model
 * "took" 3 min 38 s in a run of 3 min 5 s). */
export function timeLine(r: ComparisonResult): string {
  const total = r.wallSeconds !== undefined ? `total wall time ${seconds(r.wallSeconds)}` : 'total wall time not recorded';
  const on = r.workers !== undefined ? ` on ${r.workers === 1 ? '1 thread' : `${r.workers} worker threads running units side by side`}` : '';
  return `"time/split": wall time of one model on one split (CV, refit, test), mean over splits; ${total}${on}.`;
}

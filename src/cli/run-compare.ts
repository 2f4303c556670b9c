// Running compare() from the CLI (compare and demo): model plans from src/eval/plans.ts, the
// (split, model) units on worker threads when that pays (src/eval/parallel.ts compareAsync,
// --workers), progress on stderr, and writing the HTML report atomically.
import type { CompareOptions } from '../eval/compare.ts';
import { compareAsync, type WorkersOption } from '../eval/parallel.ts';
import type { ComparisonResult } from '../eval/types.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { renderReportHtml } from '../report/html.ts';
import type { ReportExtras } from '../report/specs.ts';
import { writeFileAtomic } from './atomic.ts';
import { registryPlan } from '../eval/plans.ts';
import type { CliIO, OutputFlags } from './io.ts';
import { makeProgress } from './progress.ts';

export async function runComparison(io: CliIO, flags: OutputFlags, ds: MultiTaskDataset, opts: Omit<CompareOptions, 'plans' | 'onProgress' | 'onUnitProgress'> & { workers?: WorkersOption }): Promise<ComparisonResult> {
  const progress = makeProgress(io, flags);
  // What each running (split, model) unit is doing now; a line shows them all (one per worker).
  const running = new Map<string, string>();
  let done = 0;
  let total = 0;
  const show = (): void => progress.update(done, [...running.entries()].map(([unit, what]) => `${unit}: ${what}`).join(' | '));
  const ensureStarted = (t: number): void => {
    if (total === 0 && t > 0) {
      total = t;
      progress.start(t, 'compare', '(split, model) units');
    }
  };
  try {
    return await compareAsync(ds, {
      ...opts,
      plans: registryPlan,
      onProgress: (p) => {
        ensureStarted(p.total);
        done = p.done;
        running.delete(`split ${p.split}/${p.splits} ${p.model}`);
        show();
      },
      onUnitProgress: (p) => {
        ensureStarted(p.total);
        running.set(`split ${p.split}/${p.splits} ${p.model}`, p.detail);
        show();
      },
    });
  } finally {
    progress.stop();
  }
}

export function writeReport(path: string, r: ComparisonResult, extras?: ReportExtras): void {
  writeFileAtomic(path, renderReportHtml(r, extras ? { extras, ...(extras.group ? { title: 'polytask task-grouping report' } : {}) } : {}));
}

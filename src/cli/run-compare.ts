// Running compare() from the CLI (compare and demo): model plans from src/eval/plans.ts, the
// (split, model) units on worker threads when that pays (src/eval/parallel.ts compareAsync,
// --workers), progress on stderr, and writing the HTML report atomically.
import type { CompareOptions } from '../eval/compare.ts';
import { compareAsync, type WorkersOption } from '../eval/parallel.ts';
import type { ComparisonResult } from '../eval/types.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { renderReportHtml } from '../report/html.ts';
import { writeFileAtomic } from './atomic.ts';
import { registryPlan } from '../eval/plans.ts';
import type { CliIO, OutputFlags } from './io.ts';
import { makeProgress } from './progress.ts';

export async function runComparison(io: CliIO, flags: OutputFlags, ds: MultiTaskDataset, opts: Omit<CompareOptions, 'plans' | 'onProgress'> & { workers?: WorkersOption }): Promise<ComparisonResult> {
  const progress = makeProgress(io, flags);
  let started = false;
  try {
    return await compareAsync(ds, {
      ...opts,
      plans: registryPlan,
      onProgress: (p) => {
        if (!started) {
          progress.start(p.total, 'compare');
          started = true;
        }
        progress.update(p.done, `split ${p.split}/${p.splits}, ${p.model}`);
      },
    });
  } finally {
    progress.stop();
  }
}

export function writeReport(path: string, r: ComparisonResult): void {
  writeFileAtomic(path, renderReportHtml(r));
}

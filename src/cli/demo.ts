// `polytask demo`: the README's first command. With no files at all: a synthetic problem with
// known structure (12 tasks in 3 clusters plus one unrelated task; src/data/synthetic/demo.ts),
// STL vs pooled vs several MTL models on repeated splits, a table of who wins and why, and the
// HTML report. Sizes are chosen to finish in seconds on 2 cores (measured: docs/cli.md).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { makeDemoProblem } from '../data/synthetic/demo.ts';
import { UnsupportedError } from '../errors.ts';
import { availableModels } from '../linear/registry.ts';
import { printComparison } from './compare-print.ts';
import { info, out, type CliIO } from './io.ts';
import { parseList, parsePositiveInt, parseSeed, type CommonFlags } from './options.ts';
import { OptionError } from '../errors.ts';
import { runComparison, writeReport } from './run-compare.ts';
import { parseWorkers, WORKERS_HELP } from './compare.ts';
import type { WorkersOption } from '../eval/parallel.ts';
import { seconds } from './format.ts';

/** The models the demo compares (those available in this build), STL first. */
export const DEMO_MODELS = ['stl', 'pooled', 'mean', 'l21', 'trace', 'cmtl', 'mtrl'] as const;

interface DemoFlags extends CommonFlags {
  seed?: number;
  models?: string[];
  splits?: number;
  workers?: WorkersOption;
}

export function registerDemo(program: Command, io: CliIO): void {
  const cmd = program
    .command('demo')
    .description('compare STL, pooled and MTL models on a built-in synthetic problem and write the HTML report')
    .option('--seed <n>', 'seed of the synthetic problem and the splits', parseSeed, 1)
    .option('--splits <R>', 'number of random train/test splits', parsePositiveInt, 5)
    .option('--models <a,b,c>', `a subset of the demo's models (default: ${DEMO_MODELS.join(',')}; cmtl and mtrl take the longest)`, parseList)
    .option('--workers <n|auto>', WORKERS_HELP, parseWorkers, 'auto' as WorkersOption)
    .option('--out <file>', 'the HTML report to write', 'polytask-report.html')
    .option('--json', 'print the comparison result as JSON instead of tables')
    .option('--verbose', 'per-task table; stack traces on errors')
    .option('--quiet', 'no progress or informational messages');
  cmd.addHelpText(
    'after',
    `
The problem: 13 regression tasks over 20 features, 20–80 samples each; 12 tasks form 3 clusters
(similar weight vectors), one task is unrelated to all others. Multi-task models that share within
clusters should beat single-task learning; pooling everything should hurt the unrelated task.

Examples:
  $ polytask demo
  $ polytask demo --seed 7 --out demo.html
  $ polytask demo --splits 2 --models pooled,mean,l21     (a quick look: seconds instead of minutes)`,
  );
  cmd.action(async (flags: DemoFlags) => {
    const t0 = performance.now();
    const { dataset, truth } = makeDemoProblem(flags.seed ?? 1);
    const have = new Set<string>(availableModels());
    for (const m of flags.models ?? []) if (!(DEMO_MODELS as readonly string[]).includes(m)) throw new OptionError('--models', `"${m}" is not one of the demo's models (${DEMO_MODELS.join(', ')})`);
    const wanted: readonly string[] = flags.models ? ['stl', ...flags.models] : DEMO_MODELS;
    const models = DEMO_MODELS.filter((m) => have.has(m) && wanted.includes(m));
    if (!models.includes('stl') || models.length < 2) {
      throw new UnsupportedError(`demo is not available yet: it needs stl and at least one other of ${DEMO_MODELS.join(', ')} registered (available: ${[...have].join(', ') || 'none'})`);
    }
    info(io, flags, `demo: ${truth.description}`);
    info(io, flags, `demo: comparing ${models.join(', ')} on ${flags.splits ?? 5} random splits (3-fold CV inside each)`);
    const result = await runComparison(io, flags, dataset, {
      models,
      repeats: flags.splits ?? 5,
      testRatio: 0.3,
      seed: flags.seed ?? 1,
      cvFolds: 3,
      rule: 'min',
      cv: { points: 8, decades: 3, points2D: [5, 3] },
      workers: flags.workers ?? 'auto',
    });
    const outFile = flags.out ?? 'polytask-report.html';
    writeReport(resolve(io.cwd, outFile), result);
    if (flags.json) {
      out(io, JSON.stringify(result));
      return;
    }
    printComparison(io, result, !!flags.verbose);
    out(io);
    const unrelated = truth.outlierTasks ?? [];
    out(io, `The truth behind the data: ${dataset.tasks.length - unrelated.length} tasks in 3 clusters, and the unrelated task ${unrelated.join(', ')}.`);
    for (const task of unrelated) {
      const flagged = result.models.filter((m) => m.tasks.some((t) => t.task === task && t.negative_transfer)).map((m) => m.name);
      out(io, flagged.length > 0 ? `On the unrelated task ${task}, sharing hurts (negative transfer) for: ${flagged.join(', ')}.` : `No model is significantly worse than stl on the unrelated task ${task}.`);
    }
    out(io, `Report: ${outFile} (open it in a browser; it works offline). Total ${seconds((performance.now() - t0) / 1000)}.`);
  });
}

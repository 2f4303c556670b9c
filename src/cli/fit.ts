// `polytask fit`: fits one model on a data set, prints what the solver did (objective, iterations,
// convergence, optimality) and the weights, and saves a model file with --out.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { OptionError } from '../errors.ts';
import { ALL_MODEL_NAMES } from '../linear/registry.ts';
import { MTLEstimator } from '../linear/estimator.ts';
import { getModelSpec } from '../linear/registry.ts';
import { DEFAULT_MAX_ITER, DEFAULT_TOL } from '../linear/solver/fista.ts';
import type { FitInfo, ModelJSON, ModelOptions } from '../linear/types.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { withProgressListener } from '../estimator/progress-scope.ts';
import { fitProgressListener } from './fit-progress.ts';
import { makeProgress } from './progress.ts';
import { loadData, type MatFlags } from './data-load.ts';
import { num, seconds, table } from './format.ts';
import { info, out, type CliIO } from './io.ts';
import { modelOptions } from './model-setup.ts';
import { writeModelFile } from './model-file.ts';
import { addDataFlags, addModelFlags, addOutputFlags, type CommonFlags, type DataFlags, type ModelFlags } from './options.ts';

/** The `fit --json` object (issue 4): at least model, objective, iterations, converged, optimality, seconds, W (d × T), intercepts. */
export interface FitJson {
  readonly model: string;
  readonly objective: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly optimality: number;
  readonly seconds: number;
  readonly solver: string;
  readonly message?: string;
  readonly tasks: readonly string[];
  readonly features: readonly string[];
  readonly W: readonly (readonly number[])[];
  readonly intercepts: readonly number[];
  /** Every hyper-parameter the fit used, defaults included. */
  readonly options: ModelJSON['options'];
  /** The keys of `options` that were not given (the model's or polytask's defaults). */
  readonly defaulted: readonly string[];
  readonly learned: Readonly<Record<string, unknown>>;
  readonly out?: string;
}

/**
 * The options a fit actually uses: the given ones, then the model's defaults (e.g. λ = 0.1), then
 * polytask's (loss from the labels, per-task mean scaling, intercepts, tol, maxIter), so that the
 * output and the model file show every value the solver ran with (issue 10).
 */
export function usedOptions(model: string, given: ModelOptions, ds: MultiTaskDataset): { options: ModelOptions; defaulted: string[] } {
  const spec = getModelSpec(model);
  const fallback: ModelOptions = {
    ...spec.defaults,
    loss: ds.kind === 'binary' ? 'logistic' : 'squared',
    scale: 'mean',
    intercept: true,
    tol: DEFAULT_TOL,
    maxIter: DEFAULT_MAX_ITER,
  };
  const options: ModelOptions = { ...fallback, ...given };
  const defaulted = Object.keys(fallback).filter((k) => (given as Record<string, unknown>)[k] === undefined);
  return { options, defaulted };
}

export function fitJson(m: ModelJSON, outFile?: string, defaulted: readonly string[] = []): FitJson {
  const i: FitInfo = m.info;
  return {
    model: m.model,
    objective: i.objective,
    iterations: i.iterations,
    converged: i.converged,
    optimality: i.optimality,
    seconds: i.seconds,
    solver: i.solver,
    ...(i.message ? { message: i.message } : {}),
    tasks: m.taskNames,
    features: m.featureNames,
    W: m.W,
    intercepts: m.intercepts,
    options: m.options,
    defaulted,
    learned: m.learned,
    ...(outFile ? { out: outFile } : {}),
  };
}

export function checkModelName(name: string | undefined): string {
  if (!name) throw new OptionError('--model', `is required (one of: ${ALL_MODEL_NAMES.join(', ')})`);
  if (!(ALL_MODEL_NAMES as readonly string[]).includes(name)) {
    throw new OptionError('--model', `unknown model "${name}" (models: ${ALL_MODEL_NAMES.join(', ')})`);
  }
  return name;
}

/** 0.1, 20000, 1e-6: as short as the value allows (never "1.000e-6"). */
function shortNumber(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential().replace(/\.?0+e/, 'e').replace('e-', 'e-') : String(v);
}

/** "lambda = 0.1 (default), lambda2 = 1, …" — the graph (an edge list) is summarised. */
export function optionsLine(options: object, defaulted: readonly string[]): string {
  return Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const shown = k === 'graph' && Array.isArray(v) ? `${v.length} edges` : typeof v === 'number' ? shortNumber(v) : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return `${k} = ${shown}${defaulted.includes(k) ? ' (default)' : ''}`;
    })
    .join(', ');
}

/** Learned clusters grouped by cluster: one line per cluster, long lists shortened unless verbose. */
export function clusterLines(tasks: readonly string[], clusters: readonly number[], verbose: boolean): string[] {
  const groups = new Map<number, string[]>();
  clusters.forEach((c, k) => groups.set(c, [...(groups.get(c) ?? []), tasks[k]!]));
  const ids = [...groups.keys()].sort((a, b) => a - b);
  const max = verbose ? Infinity : 25;
  return [
    `learned clusters: ${ids.length} cluster${ids.length === 1 ? '' : 's'} of tasks`,
    ...ids.map((c) => {
      const g = groups.get(c)!;
      const shown = g.length > max ? `${g.slice(0, max).join(', ')}, … and ${g.length - max} more (--verbose or --json lists all)` : g.join(', ');
      return `  cluster ${c + 1} (${g.length} task${g.length === 1 ? '' : 's'}): ${shown}`;
    }),
  ];
}

function printFit(io: CliIO, j: FitJson, source: string, verbose: boolean): void {
  out(io, `${j.model} on ${source}: ${j.tasks.length} tasks, ${j.features.length} features`);
  out(io, `hyper-parameters: ${optionsLine(j.options, j.defaulted)}`);
  out(io, `objective ${num(j.objective, 10)} after ${j.iterations} iterations (${j.solver}), ${j.converged ? 'converged' : 'NOT converged'}, optimality ${num(j.optimality, 3)}, ${seconds(j.seconds)}`);
  out(io);
  const T = j.tasks.length;
  const d = j.features.length;
  if (d <= 40 && T <= 8) {
    const cols = [{ header: 'feature' }, ...j.tasks.map((t) => ({ header: t, align: 'right' as const }))];
    const rows = j.W.map((row, r) => [j.features[r]!, ...row.map((v) => num(v, 4))]);
    rows.push(['(intercept)', ...j.intercepts.map((v) => num(v, 4))]);
    out(io, 'W (rows = features, columns = tasks):');
    out(io, table(cols, rows));
  } else {
    const zeroRows = j.W.filter((row) => row.every((v) => v === 0)).length;
    out(io, `W is ${d} × ${T}: ${d - zeroRows} non-zero feature rows (use --json or --out for the weights).`);
  }
  const l = j.learned;
  if (Array.isArray(l.clusters)) for (const line of clusterLines(j.tasks, l.clusters as number[], verbose)) out(io, line);
  if (Array.isArray(l.outlierTasks)) out(io, `outlier tasks: ${(l.outlierTasks as string[]).join(', ') || 'none'}`);
  if (Array.isArray(l.selectedFeatures)) out(io, `selected features (${(l.selectedFeatures as string[]).length}): ${(l.selectedFeatures as string[]).slice(0, 20).join(', ')}`);
  if (typeof l.rank === 'number') out(io, `rank of W: ${l.rank}`);
}

export function registerFit(program: Command, io: CliIO): void {
  const cmd = program.command('fit').description('fit one model and print (or save) it');
  addDataFlags(cmd);
  cmd.option('--mat-x <name>', 'MAT file: the cell array of per-task feature matrices', 'X').option('--mat-y <name>', 'MAT file: the cell array of per-task targets', 'Y');
  addModelFlags(cmd);
  addOutputFlags(cmd, { out: 'save the fitted model to this file (docs/model-file.md)' });
  cmd.addHelpText(
    'after',
    `
Models: ${ALL_MODEL_NAMES.join(', ')}
  --lambda is each model's main weight, --lambda2 its second, --ridge adds ridge·‖W‖²_F (docs/cli.md).

Examples:
  $ polytask fit --data school.csv --task-col task --target y --model l21 --lambda 0.5 --out l21.model.json
  $ polytask fit --data school.csv --task-col task --target y --model cmtl --lambda 1 --lambda2 0.1 --clusters 3 --json
  $ polytask fit --data tasks.csv --task-col task --target y --model graph --graph edges.csv --lambda 2`,
  );
  cmd.action(async (flags: DataFlags & MatFlags & ModelFlags & CommonFlags) => {
    const name = checkModelName(flags.model);
    const loaded = await loadData(flags, io.cwd);
    const options = modelOptions(flags, loaded.dataset, io.cwd);
    // The constructor checks the model is available and the options fit it (OptionError, exit 2).
    const est = new MTLEstimator(name, options);
    const used = usedOptions(name, options, loaded.dataset);
    // Solver iterations and optimality on stderr while it runs (src/cli/progress.ts).
    const progress = makeProgress(io, flags);
    let fitted: MTLEstimator;
    try {
      fitted = withProgressListener(fitProgressListener(progress, `fit ${name}`), () => est.fit(loaded.dataset));
    } finally {
      progress.stop();
    }
    // The model file and the output store every value used, defaults included.
    const json: ModelJSON = { ...fitted.toJSON(), options: used.options };
    if (flags.out) writeModelFile(resolve(io.cwd, flags.out), json);
    const j = fitJson(json, flags.out, used.defaulted);
    if (flags.json) {
      out(io, JSON.stringify(j));
    } else {
      printFit(io, j, loaded.file, !!flags.verbose);
      if (flags.out) out(io, `\nmodel written to ${flags.out}`);
    }
    if (!j.converged) info(io, flags, `polytask: warning: ${j.model} stopped at the iteration cap without converging (optimality ${num(j.optimality, 3)}); raise --max-iter or loosen --tol`);
  });
}

// `polytask fit`: fits one model on a data set, prints what the solver did (objective, iterations,
// convergence, optimality) and the weights, and saves a model file with --out.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { OptionError } from '../errors.ts';
import type { Estimator, EstimatorJSON, Options } from '../estimator/contract.ts';
import { allModels, getModel, loadModels } from '../estimator/registry.ts';
import type { LinearState } from '../linear/estimator.ts';
import { taskKinds, type MultiTaskDataset } from '../data/dataset.ts';
import { fitProgress } from './fit-progress.ts';
import { makeProgress } from './progress.ts';
import { traceStartup } from './trace.ts';
import { dataColumns, loadData, type MatFlags } from './data-load.ts';
import { didYouMean } from './suggest.ts';
import { num, seconds, table } from './format.ts';
import { info, out, type CliIO } from './io.ts';
import { checkOutputsAreNotInputs } from './paths.ts';
import { checkMagnitudes, modelOptions } from './model-setup.ts';
import { writeModelFile } from './model-file.ts';
import { addDataFlags, addModelFlags, addOutputFlags, modelHelp, type CommonFlags, type DataFlags, type ModelFlags } from './options.ts';

/** The `fit --json` object (issue 4): at least model, objective, iterations, converged, optimality, seconds, W (d × T), intercepts. */
export interface FitJson {
  readonly model: string;
  readonly engine: string;
  readonly objective: number | null;
  readonly iterations: number;
  readonly converged: boolean;
  readonly optimality: number | null;
  readonly seconds: number;
  readonly backend: string;
  readonly solver?: string;
  readonly message?: string;
  readonly tasks: readonly string[];
  readonly features: readonly string[];
  readonly W?: readonly (readonly number[])[];
  readonly intercepts?: readonly number[];
  /** Every hyper-parameter the fit used, defaults included. */
  readonly options: EstimatorJSON['options'];
  /** The keys of `options` that were not given (the model's defaults). */
  readonly defaulted: readonly string[];
  readonly learned: Readonly<Record<string, unknown>>;
  readonly out?: string;
}

/** The default loss of each task kind (the linear engine's rule when --loss is not given). */
const KIND_LOSS: Readonly<Record<string, string>> = { regression: 'squared', binary: 'logistic', count: 'poisson' };

/**
 * The options a fit actually used: the estimator's options (the given ones plus every declared
 * default) and the loss the data's task kinds chose when none was given — so that the output and
 * the model file show every value the solver ran with (issue 10: λ = 0.1 was used and shown nowhere).
 */
export function usedOptions(est: Estimator, given: Options, ds: MultiTaskDataset): { options: Options; defaulted: string[] } {
  const options: Record<string, Options[string]> = { ...est.options };
  if (est.engine === 'linear' && options['loss'] === undefined) {
    const losses = [...new Set(taskKinds(ds).map((k) => KIND_LOSS[k] ?? k))];
    if (losses.length === 1) options['loss'] = losses[0]!;
  }
  const defaulted = Object.keys(options).filter((k) => given[k] === undefined);
  return { options, defaulted };
}

/** The JSON summary of a fitted estimator of any engine (linear models add W, intercepts, objective and solver). */
export function fitJson(est: Estimator, m: EstimatorJSON, outFile?: string, defaulted: readonly string[] = []): FitJson {
  const dg = est.diagnostics ?? { converged: true, optimality: null, iterations: 0, seconds: 0, backend: 'unknown' };
  const lin = m.engine === 'linear' ? (m.state as LinearState) : undefined;
  return {
    model: m.model,
    engine: m.engine,
    objective: lin ? lin.info.objective : null,
    iterations: dg.iterations,
    converged: dg.converged,
    optimality: dg.optimality,
    seconds: dg.seconds,
    backend: dg.backend,
    ...(lin ? { solver: lin.info.solver } : {}),
    ...(dg.message ? { message: dg.message } : {}),
    tasks: m.taskNames,
    features: m.featureNames,
    ...(lin ? { W: lin.W, intercepts: lin.intercepts } : {}),
    options: m.options,
    defaulted,
    learned: lin ? lin.learned : (JSON.parse(JSON.stringify(est.learned ?? {})) as Record<string, unknown>),
    ...(outFile ? { out: outFile } : {}),
  };
}

export function checkModelName(name: string | undefined): string {
  const names = allModels().map((m) => m.name);
  if (!name) throw new OptionError('--model', `is required (one of: ${names.join(', ')})`);
  if (!names.includes(name)) throw new OptionError('--model', `unknown model "${name}"${didYouMean(name, names)}; models: ${names.join(', ')}`);
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
  out(io, `${j.objective !== null ? `objective ${num(j.objective, 10)} after ` : ''}${j.iterations} iterations${j.solver ? ` (${j.solver})` : ''}, ${j.converged ? 'converged' : 'NOT converged'}, optimality ${j.optimality !== null ? num(j.optimality, 3) : 'n/a'}, ${seconds(j.seconds)}, ${j.backend} kernels`);
  out(io);
  const T = j.tasks.length;
  const d = j.features.length;
  if (!j.W || !j.intercepts) {
    // Not a linear model: no weight table.
  } else if (d <= 40 && T <= 8) {
    const cols = [{ header: 'feature' }, ...j.tasks.map((t) => ({ header: t, align: 'right' as const }))];
    const rows = j.W.map((row, r) => [j.features[r]!, ...row.map((v) => num(v, 4))]);
    const b = j.intercepts;
    rows.push(['(intercept)', ...b.map((v) => num(v, 4))]);
    out(io, 'W (rows = features, columns = tasks):');
    out(io, table(cols, rows));
  } else {
    const zeroRows = j.W.filter((row) => row.every((v: number) => v === 0)).length;
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
Models: ${allModels().map((m) => m.name).join(', ')}
  Each model has its own options with its paper's names (cmtl --rho1 --rho2 --clusters, mtrl --lambda1
  --lambda2, relation --alpha --beta, dirty --lambda-p --lambda-q, tgl --theta2 --theta3; --lambda where a
  model has one main weight): \`polytask fit --model X --help\` lists X's own.

Examples:
  $ polytask fit --data school.csv --task-col task --target y --model l21 --lambda 0.5 --out l21.model.json
  $ polytask fit --data school.csv --task-col task --target y --model cmtl --rho1 1 --rho2 0.1 --clusters 3 --json
  $ polytask fit --data usps.csv --one-vs-rest digit --skip set --model trace --out usps.model.json`,
  );
  // `polytask fit --model X --help`: X's own options, from its declarations.
  cmd.addHelpText('after', () => {
    const m = (cmd.opts() as { model?: string }).model;
    return m && allModels().some((x) => x.name === m) ? modelHelp(m) : '';
  });
  cmd.action(async (flags: DataFlags & MatFlags & ModelFlags & CommonFlags) => {
    const name = checkModelName(flags.model);
    checkOutputsAreNotInputs(io.cwd, [['--data', flags.data], ['--graph', flags.graph]], [['--out', flags.out]]);
    const loaded = await loadData(flags, io.cwd);
    checkMagnitudes(loaded.dataset, loaded.file, flags.standardize, flags.target);
    const options = modelOptions(flags, loaded.dataset, io.cwd, name);
    // The model's engine is imported now, not at start-up (src/engine-descriptors.ts). Construction
    // checks every option against the model's declarations (OptionError, exit 2).
    await loadModels([name]);
    const unfitted = getModel(name).make(options);
    // Solver iterations and optimality on stderr while it runs (src/cli/progress.ts).
    const progress = makeProgress(io, flags);
    const tol = typeof unfitted.options['tol'] === 'number' ? unfitted.options['tol'] : undefined;
    let est: Estimator;
    try {
      traceStartup('fit-start');
      est = unfitted.fit(loaded.dataset, { onProgress: fitProgress(progress, `fit ${name}`, tol, name) });
      traceStartup('fit-end');
    } finally {
      progress.stop();
    }
    // The model file and the output store every value used, defaults included.
    const used = usedOptions(est, options, loaded.dataset);
    const columns = dataColumns(flags, loaded.format);
    const json: EstimatorJSON = { ...est.toJSON(), options: used.options, ...(columns ? { columns } : {}) };
    if (flags.out) writeModelFile(resolve(io.cwd, flags.out), json);
    const j = fitJson(est, json, flags.out, used.defaulted);
    if (flags.json) {
      out(io, JSON.stringify(j));
    } else {
      printFit(io, j, loaded.file, !!flags.verbose);
      if (flags.out) out(io, `\nmodel written to ${flags.out}`);
    }
    if (!j.converged) info(io, flags, `polytask: warning: ${j.model} stopped at the iteration cap without converging (optimality ${j.optimality !== null ? num(j.optimality, 3) : 'n/a'}); raise --max-iter or loosen --tol`);
  });
}

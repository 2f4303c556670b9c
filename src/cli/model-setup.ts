// Shared by fit, cv and compare: the ModelOptions assembled from the flags (the task graph read from
// --graph). Standardisation is an estimator option (`standardize`), so that it is fitted on each
// training part only (inside CV and compare too) and stored in the model file with the weights.
import { resolve } from 'node:path';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { DataError, OptionError } from '../errors.ts';
import type { Options } from '../estimator/contract.ts';
import { parseModelSpec } from '../estimator/spec.ts';
import { DEFAULT_MODELS } from '../eval/default-models.ts';
import { readGraphFile } from './graph-file.ts';
import { modelOptionsFromFlags, type ModelFlags, type StandardizeMode } from './options.ts';

/** `model`: the one model the options are for (its own flags are checked); without it (compare:
 * options for every model) model-specific flags are passed as given. */
export function modelOptions(flags: ModelFlags & { standardize?: StandardizeMode }, ds: MultiTaskDataset, cwd: string, model?: string, reserved: readonly string[] = []): Options {
  const o = modelOptionsFromFlags(flags, model, reserved);
  if (flags.standardize && flags.standardize !== 'none') o['standardize'] = flags.standardize;
  if (flags.graph) o['graph'] = readGraphFile(resolve(cwd, flags.graph), flags.graph, ds.tasks.map((t) => t.name));
  return o;
}

/**
 * Finite values so large that their squares overflow (features ~1e300, targets ~1e200) make every
 * solver's objective infinite at the start (`fista: objective is not finite at the starting point`,
 * issue 16). Found here, before fitting, and named in the user's terms: the column, the task, the
 * largest value, and what to do. Features are only checked without --standardize (standardising
 * divides them by their spread first); targets of non-binary tasks always.
 */
/** A feature column whose sum of squares exceeds this makes the solvers' step-size estimates (which
 * multiply it by further factors) overflow: measured, features ~1e135 fit and ~1e150 end in
 * `backtracking failed (L = Infinity)` on a 12-row task; the limit sits between, with headroom. */
export const FEATURE_SS_LIMIT = 1e290;

export function checkMagnitudes(ds: MultiTaskDataset, file: string, standardize: StandardizeMode | undefined, targetName = 'the target'): void {
  const d = ds.featureNames.length;
  if (standardize && standardize !== 'none') {
    // Standardising divides by each column's spread, computed from squared deviations over all
    // rows (src/data/preprocess.ts): values ~1e300 overflow there, giving a scale of ∞.
    for (let j = 0; j < d; j++) {
      let n = 0;
      let sum = 0;
      for (const t of ds.tasks) for (let i = 0; i < t.X.rows; i++, n++) sum += t.X.data[i * t.X.cols + j]! / 1e10;
      const mean = (sum / Math.max(n, 1)) * 1e10;
      let ss = 0;
      let big = 0;
      for (const t of ds.tasks) {
        for (let i = 0; i < t.X.rows; i++) {
          const v = t.X.data[i * t.X.cols + j]!;
          ss += (v - mean) * (v - mean);
          if (Math.abs(v) > Math.abs(big)) big = v;
        }
      }
      if (!Number.isFinite(ss)) throw new DataError(`${file}: column "${ds.featureNames[j]}" overflows even for --standardize ${standardize}: its values (up to ${big.toExponential(2)}) are too large for their spread to be computed; rescale the column (divide by a power of ten)`);
    }
  }
  for (const t of ds.tasks) {
    const X = t.X;
    if (!standardize || standardize === 'none') {
      for (let j = 0; j < d; j++) {
        let ss = 0;
        let big = 0;
        for (let i = 0; i < X.rows; i++) {
          const v = X.data[i * X.cols + j]!;
          ss += v * v;
          if (Math.abs(v) > Math.abs(big)) big = v;
        }
        if (!(ss <= FEATURE_SS_LIMIT)) {
          throw new DataError(`${file}: column "${ds.featureNames[j]}" overflows in task "${t.name}": its values (up to ${big.toExponential(2)}) are so large that the solver's products (squares, Gram matrix, step sizes) exceed the largest number (1.8e308); standardise the features (--standardize global) or rescale the column`);
        }
      }
    }
    if ((t.kind ?? ds.kind) === 'binary') continue;
    let ss = 0;
    let big = 0;
    for (const v of t.y) {
      ss += v * v;
      if (Math.abs(v) > Math.abs(big)) big = v;
    }
    if (!Number.isFinite(ss)) {
      throw new DataError(`${file}: ${targetName === 'the target' ? 'the target' : `target column "${targetName}"`} overflows in task "${t.name}": its values (up to ${big.toExponential(2)}) square beyond the largest number (1.8e308), so the loss cannot be computed; rescale it (divide by a power of ten)`);
    }
  }
}

/** compare: options every compared model declares go to all of them (modelOptions); a model's own
 * (--rho1, --lambda-p, ...) only to the models that declare it (perModelOptions); an option no
 * compared model declares is an error naming it. */
export function splitModelOptions(o: Options, models: readonly string[] | undefined): { modelOptions: Options; perModelOptions: Record<string, Options> } {
  const listed = [...(models ?? DEFAULT_MODELS)];
  // Every family's single-task baseline is compared too (compare adds stl-mlp for neural models):
  // it gets the options of its family (--epochs, --hidden, ...) like the models it is the baseline of.
  const baselines = listed.map((n) => parseModelSpec(n).decl.baseline);
  const names = [...new Set(['stl', ...baselines, ...listed])];
  // Keyed by the spec as named (hps:pcgrad is its own row, with its own options).
  const decls = names.map((n) => ({ name: n, decl: parseModelSpec(n).decl }));
  const common: Record<string, Options[string]> = {};
  const per: Record<string, Record<string, Options[string]>> = {};
  for (const [k, v] of Object.entries(o)) {
    const owners = decls.filter((d) => d.decl.params.some((p) => p.name === k));
    if (owners.length === decls.length) common[k] = v;
    else if (owners.length === 0) throw new OptionError(k, `none of the compared models (${names.join(', ')}) has this option`);
    else for (const d of owners) (per[d.name] ??= {})[k] = v;
  }
  return { modelOptions: common, perModelOptions: per };
}

// Shared by fit, cv and compare: the ModelOptions assembled from the flags (the task graph read from
// --graph). Standardisation is an estimator option (`standardize`), so that it is fitted on each
// training part only (inside CV and compare too) and stored in the model file with the weights.
import { resolve } from 'node:path';
import type { MultiTaskDataset } from '../data/dataset.ts';
import { OptionError } from '../errors.ts';
import type { Options } from '../estimator/contract.ts';
import { getModel } from '../estimator/registry.ts';
import { DEFAULT_MODELS } from '../eval/compare.ts';
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

/** compare: options every compared model declares go to all of them (modelOptions); a model's own
 * (--rho1, --lambda-p, ...) only to the models that declare it (perModelOptions); an option no
 * compared model declares is an error naming it. */
export function splitModelOptions(o: Options, models: readonly string[] | undefined): { modelOptions: Options; perModelOptions: Record<string, Options> } {
  const names = ['stl', ...(models ?? DEFAULT_MODELS)];
  const decls = names.map((n) => getModel(n));
  const common: Record<string, Options[string]> = {};
  const per: Record<string, Record<string, Options[string]>> = {};
  for (const [k, v] of Object.entries(o)) {
    const owners = decls.filter((d) => d.params.some((p) => p.name === k));
    if (owners.length === decls.length) common[k] = v;
    else if (owners.length === 0) throw new OptionError(k, `none of the compared models (${names.join(', ')}) has this option`);
    else for (const d of owners) (per[d.name] ??= {})[k] = v;
  }
  return { modelOptions: common, perModelOptions: per };
}

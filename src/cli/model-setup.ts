// Shared by fit, cv and compare: the ModelOptions assembled from the flags (the task graph read from
// --graph). Standardisation is an estimator option (`standardize`), so that it is fitted on each
// training part only (inside CV and compare too) and stored in the model file with the weights.
import { resolve } from 'node:path';
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { ModelOptions } from '../linear/types.ts';
import { readGraphFile } from './graph-file.ts';
import { modelOptionsFromFlags, type ModelFlags, type StandardizeMode } from './options.ts';

export function modelOptions(flags: ModelFlags & { standardize?: StandardizeMode }, ds: MultiTaskDataset, cwd: string): ModelOptions {
  const o = modelOptionsFromFlags(flags);
  if (flags.standardize && flags.standardize !== 'none') o.standardize = flags.standardize;
  if (flags.graph) o.graph = readGraphFile(resolve(cwd, flags.graph), flags.graph, ds.tasks.map((t) => t.name));
  return o;
}

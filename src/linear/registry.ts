// Model name → specification. Each model file registers here with one import line and one entry.
import { OptionError } from '../errors.ts';
import type { ModelName, ModelSpec } from './types.ts';

const specs: Partial<Record<ModelName, ModelSpec>> = {
  // models/*.ts entries, one line each, e.g.  l21: l21Spec,
};

export const ALL_MODEL_NAMES: readonly ModelName[] = [
  'stl', 'pooled', 'chain', 'graph', 'mean', 'mtrl', 'relation', 'lasso', 'l21', 'trace',
  'sparse-lowrank', 'dirty', 'robust', 'rmtfl', 'cmtl', 'tgl',
];

export function getModelSpec(name: string): ModelSpec {
  const s = specs[name as ModelName];
  if (!s) {
    const known = Object.keys(specs).join(', ');
    if ((ALL_MODEL_NAMES as readonly string[]).includes(name)) throw new OptionError('model', `"${name}" is not available yet (available: ${known})`);
    throw new OptionError('model', `unknown model "${name}" (available: ${known})`);
  }
  return s;
}

export function availableModels(): ModelName[] {
  return Object.keys(specs) as ModelName[];
}

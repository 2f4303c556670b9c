// Model name → specification. Each model file registers here with one import line and one entry.
import { OptionError } from '../errors.ts';
import type { ModelName, ModelSpec } from './types.ts';
import { stlSpec } from './models/stl.ts';
import { pooledSpec } from './models/pooled.ts';
import { chainSpec } from './models/chain.ts';
import { graphSpec } from './models/graph.ts';
import { meanSpec } from './models/mean.ts';
import { lassoSpec } from './models/lasso.ts';
import { l21Spec } from './models/l21.ts';
import { traceSpec } from './models/trace.ts';
import { tglSpec } from './models/tgl.ts';
import { sparseLowrankSpec } from './models/sparse-lowrank.ts';
import { dirtySpec } from './models/dirty.ts';
import { robustSpec } from './models/robust.ts';
import { rmtflSpec } from './models/rmtfl.ts';
import { cmtlSpec } from './models/cmtl.ts';
import { mtrlSpec } from './models/mtrl.ts';
import { relationSpec } from './models/relation.ts';

const specs: Partial<Record<ModelName, ModelSpec>> = {
  // models/*.ts entries, one line each, e.g.  l21: l21Spec,
  stl: stlSpec,
  pooled: pooledSpec,
  chain: chainSpec,
  graph: graphSpec,
  mean: meanSpec,
  lasso: lassoSpec,
  l21: l21Spec,
  trace: traceSpec,
  tgl: tglSpec,
  'sparse-lowrank': sparseLowrankSpec,
  dirty: dirtySpec,
  robust: robustSpec,
  rmtfl: rmtflSpec,
  cmtl: cmtlSpec,
  mtrl: mtrlSpec,
  relation: relationSpec,
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

// Model name → specification. Each model file registers here with one import line and one entry.
// The linear engine (src/linear/engine.ts) exposes these to the engine-neutral registry.
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

const specs: Record<ModelName, ModelSpec> = {
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
  const s = (specs as Partial<Record<string, ModelSpec>>)[name];
  if (!s) throw new OptionError('model', `unknown linear model "${name}" (available: ${ALL_MODEL_NAMES.join(', ')})`);
  return s;
}

export function availableModels(): ModelName[] {
  return [...ALL_MODEL_NAMES];
}

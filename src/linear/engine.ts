// The linear engine as the estimator contract sees it (src/estimator/contract.ts): one ModelDecl per
// model of src/linear/registry.ts, and the loader of its saved state. src/engines.ts registers it.
import type { MultiTaskDataset } from '../data/dataset.ts';
import { fitStandardizer, standardizeDataset } from '../data/preprocess.ts';
import type { EngineSpec, EstimatorJSON, ModelDecl, Options } from '../estimator/contract.ts';
import { withDefaults } from '../estimator/params.ts';
import { MTLEstimator } from './estimator.ts';
import { FIT_COST, FIT_COST_DEFAULT } from './fit-cost.ts';
import { buildProblem } from './problem.ts';
import { ALL_MODEL_NAMES, getModelSpec } from './registry.ts';
import { dataScaledTop } from './scale.ts';
import type { ModelOptions } from './types.ts';

/** The training part as the estimator will see it (standardised as its options say). */
export function fittedData(train: MultiTaskDataset, options: ModelOptions): MultiTaskDataset {
  const mode = options.standardize ?? 'none';
  return mode === 'none' ? train : standardizeDataset(train, fitStandardizer(train, mode));
}

function linearDecl(name: string): ModelDecl {
  const spec = getModelSpec(name);
  const paramMax = spec.paramMax;
  return {
    engine: 'linear',
    name: spec.name,
    summary: spec.summary,
    params: spec.params,
    baseline: 'stl',
    make: (options: Options) => new MTLEstimator(spec.name, options),
    // The top of a tuned weight's grid, on exactly the data the estimator will fit (the training
    // part, standardised as the options say): λ_max for 'from-max' parameters where the model
    // defines it, else the data-scaled top (src/linear/scale.ts).
    paramMax(param: string, train: MultiTaskDataset, options: Options): number | undefined {
      const o = withDefaults(spec.params, options) as ModelOptions;
      const data = fittedData(train, o);
      const decl = spec.params.find((p) => p.name === param);
      if (decl?.tune?.grid.kind === 'from-max' && paramMax) {
        const problem = buildProblem(data, {
          ...(o.loss !== undefined && { loss: o.loss }),
          ...(o.scale !== undefined && { scale: o.scale }),
          ...(o.intercept !== undefined && { intercept: o.intercept }),
        });
        const m = paramMax.call(spec, param, problem, o);
        if (m !== undefined && m > 0 && Number.isFinite(m)) return m;
      }
      return dataScaledTop(data, o.scale ?? 'mean', o.loss);
    },
    // Seconds of one fit: a per-model constant plus a per-model rate per stored number of the
    // training data (Σ_t n_t·d), measured by bench/fit-cost.bench.ts (src/linear/fit-cost.ts).
    estimateSeconds(train: MultiTaskDataset, _options: Options): number {
      const c = FIT_COST[spec.name] ?? FIT_COST_DEFAULT;
      let size = 0;
      for (const t of train.tasks) size += t.y.length * train.featureNames.length;
      return c.base + c.perValue * size;
    },
  };
}

export const linearEngine: EngineSpec = {
  name: 'linear',
  models: ALL_MODEL_NAMES.map(linearDecl),
  load: (json: EstimatorJSON) => MTLEstimator.fromJSON(json),
};

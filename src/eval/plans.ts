// Registry models as comparison plans: how compare() builds, and what it tunes for, each model
// of src/linear/registry.ts. The tuned parameters follow the spec's `uses`: lambda and lambda2 are
// tuned by CV (a 2-D grid when both), STL optionally per task (see registryPlan); discrete or
// structural options (clusters, graph, chain) are never tuned — they keep the user's value or the
// model default. λ_max, where the model defines it, is computed on exactly the data the estimator
// will fit: the training part, standardised as the options say.
import type { MultiTaskDataset } from '../data/dataset.ts';
import { fitStandardizer, standardizeDataset } from '../data/preprocess.ts';
import { MTLEstimator } from '../linear/estimator.ts';
import { buildProblem } from '../linear/problem.ts';
import { getModelSpec } from '../linear/registry.ts';
import type { ModelOptions } from '../linear/types.ts';
import type { TunedParam } from './cv.ts';
import type { ModelPlan } from './compare.ts';

function fittedData(train: MultiTaskDataset, options: ModelOptions): MultiTaskDataset {
  const mode = options.standardize ?? 'none';
  return mode === 'none' ? train : standardizeDataset(train, fitStandardizer(train, mode));
}

/** The plan of a registry model; an unknown or not-yet-available name throws the registry's
 * OptionError, which lists the available models.
 * `perTaskLambda` (models that accept it: stl) chooses λ per task from the same CV fits. Off by
 * default: on School, per-task choice on small tasks (16–190 training rows, so 3–38 held-out rows per
 * fold) is so noisy that it loses to one λ chosen for all tasks (task-averaged RMSE 10.25 ± 0.13
 * against 10.16 ± 0.11 over the 10 splits; docs/evaluation.md). */
export function registryPlan(name: string, opts: { perTaskLambda?: boolean } = {}): ModelPlan {
  const spec = getModelSpec(name);
  const params: TunedParam[] = (['lambda', 'lambda2'] as const).filter((p) => spec.uses.includes(p));
  const lambdaMax = spec.lambdaMax;
  return {
    name: spec.name,
    make: (options) => new MTLEstimator(spec.name, options),
    params,
    perTask: (opts.perTaskLambda ?? false) && spec.uses.includes('perTaskLambda'),
    fittedData,
    ...(lambdaMax
      ? {
          lambdaMax: (train: MultiTaskDataset, options: ModelOptions) => {
            const problem = buildProblem(fittedData(train, options), {
              ...(options.loss !== undefined && { loss: options.loss }),
              ...(options.scale !== undefined && { scale: options.scale }),
              ...(options.intercept !== undefined && { intercept: options.intercept }),
            });
            return lambdaMax.call(spec, problem, { ...spec.defaults, ...options });
          },
        }
      : {}),
  };
}

// Registered models as comparison plans: how compare() builds, and what it tunes for, any model of
// any engine in the registry (src/estimator/registry.ts). The tuned parameters are the model's
// declared tunable ones (ParamDecl.tune; a product grid over all of them, src/eval/cv.ts); discrete
// or structural options (clusters, graph, chain) are not tuned — they keep the user's value or the
// declared default. The tops of the grids come from ModelDecl.paramMax on exactly the training part
// the estimator will fit.
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { Options } from '../estimator/contract.ts';
import { parseModelSpec, specOptions } from '../estimator/spec.ts';
import type { ModelPlan } from './compare.ts';

/** The plan of a registered model; an unknown name throws the registry's OptionError, which lists
 * the available models.
 * `perTaskLambda` (models that declare it: stl) chooses λ per task from the same CV fits. Off by
 * default: on School, per-task choice on small tasks (16–190 training rows, so 3–38 held-out rows per
 * fold) is so noisy that it loses to one λ chosen for all tasks (task-averaged RMSE 10.25 ± 0.13
 * against 10.16 ± 0.11 over the 10 splits; docs/evaluation.md). */
export function registryPlan(name: string, opts: { perTaskLambda?: boolean } = {}): ModelPlan {
  // A spec 'model:method' (src/estimator/spec.ts) is the model with its balancing method fixed; the
  // plan keeps the spec as its name (the row of the table, JSON and report; workers rebuild it by it).
  const spec = parseModelSpec(name, 'models');
  const decl = spec.decl;
  const tuned = decl.params.filter((p) => p.tune !== undefined);
  return {
    name: spec.spec,
    engine: decl.engine,
    registry: true,
    baseline: decl.baseline,
    make: (options: Options) => decl.make(specOptions(spec, options)),
    params: tuned,
    perTask: (opts.perTaskLambda ?? false) && decl.params.some((p) => p.name === 'perTaskLambda') && tuned.length === 1,
    tops(train: MultiTaskDataset, options: Options): Record<string, number> {
      const out: Record<string, number> = {};
      if (!decl.paramMax) return out;
      for (const p of tuned) {
        if (p.tune?.grid.kind === 'fixed') continue;
        const v = decl.paramMax(p.name, train, specOptions(spec, options));
        if (v !== undefined && v > 0 && Number.isFinite(v)) out[p.name] = v;
      }
      return out;
    },
    ...(decl.estimateSeconds ? { estimateSeconds: (train: MultiTaskDataset, options: Options) => decl.estimateSeconds!(train, specOptions(spec, options)) } : {}),
  };
}

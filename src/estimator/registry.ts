// Engines register here; cv, compare, model files, `predict`, worker threads and the report find
// models only through this registry. `src/engines.ts` is the one place that lists the engines
// shipped with polytask (imported by the CLI, the public API and the worker entry).
import { OptionError } from '../errors.ts';
import type { EngineSpec, Estimator, EstimatorJSON, ModelDecl } from './contract.ts';

const engines = new Map<string, EngineSpec>();
const models = new Map<string, ModelDecl>();

export function registerEngine(spec: EngineSpec): void {
  if (engines.has(spec.name)) return; // idempotent: modules may be imported twice (workers, tests)
  for (const m of spec.models) {
    const other = models.get(m.name);
    if (other) throw new OptionError('model', `model "${m.name}" is registered by engines "${other.engine}" and "${spec.name}"`);
  }
  engines.set(spec.name, spec);
  for (const m of spec.models) models.set(m.name, m);
}

export function registeredEngines(): readonly EngineSpec[] {
  return [...engines.values()];
}

export function allModels(): readonly ModelDecl[] {
  return [...models.values()];
}

/** The model of that name; unknown names throw an OptionError listing the known ones. */
export function getModel(name: string): ModelDecl {
  const m = models.get(name);
  if (!m) throw new OptionError('model', `unknown model "${name}" (available: ${[...models.keys()].join(', ')})`);
  return m;
}

export function getEngine(name: string): EngineSpec {
  const e = engines.get(name);
  if (!e) throw new OptionError('engine', `unknown engine "${name}" (available: ${[...engines.keys()].join(', ')})`);
  return e;
}

/** Rebuilds a fitted estimator of any registered engine from its saved state. */
export function loadEstimator(json: EstimatorJSON): Estimator {
  return getEngine(json.engine).load(json);
}

// Engines register here; cv, compare, model files, `predict`, worker threads and the report find
// models only through this registry. `src/engines.ts` is the one place that lists the engines
// shipped with polytask (imported by the public API and the worker entry); the CLI registers them by
// their light descriptors instead (src/engine-descriptors.ts) and loads an implementation only when
// it runs one of its models, so that start-up does not pay for engines it does not use.
import { OptionError } from '../errors.ts';
import type { EngineDescriptor, EngineSpec, Estimator, EstimatorJSON, ModelDecl, ModelInfo } from './contract.ts';

/** Loaded engines (their models can be built synchronously). */
const engines = new Map<string, EngineSpec>();
/** Engines known by their declarations only, until loaded. */
const described = new Map<string, EngineDescriptor>();
/** Model name → its declaration (a ModelDecl once its engine is loaded). */
const models = new Map<string, ModelInfo>();
/** Loads under way, so that concurrent callers share one import. */
const loading = new Map<string, Promise<EngineSpec>>();

function claimModels(engine: string, list: readonly ModelInfo[]): void {
  for (const m of list) {
    const other = models.get(m.name);
    if (other && other.engine !== engine) throw new OptionError('model', `model "${m.name}" is registered by engines "${other.engine}" and "${engine}"`);
  }
}

/** Registers a loaded engine (idempotent: modules may be imported twice — workers, tests). When a
 * descriptor of that name was registered first, the engine replaces it. */
export function registerEngine(spec: EngineSpec): void {
  if (engines.has(spec.name)) return;
  claimModels(spec.name, spec.models);
  engines.set(spec.name, spec);
  described.delete(spec.name);
  for (const m of spec.models) models.set(m.name, m);
}

/** Registers an engine by its declarations; its implementation is imported by loadModels /
 * loadEngine / loadAllEngines. Ignored when that engine is registered already. */
export function registerEngineDescriptor(desc: EngineDescriptor): void {
  if (engines.has(desc.name) || described.has(desc.name)) return;
  claimModels(desc.name, desc.models);
  described.set(desc.name, desc);
  for (const m of desc.models) models.set(m.name, m);
}

/** The loaded engine of that name, importing its implementation if only its descriptor is known. */
export async function loadEngine(name: string): Promise<EngineSpec> {
  const have = engines.get(name);
  if (have) return have;
  const desc = described.get(name);
  if (!desc) return getEngine(name); // throws the OptionError listing the known engines
  let p = loading.get(name);
  if (!p) {
    p = desc.load().then((spec) => {
      if (spec.name !== name) throw new Error(`engine descriptor "${name}" loaded an engine named "${spec.name}"`);
      const declared = desc.models.map((m) => m.name).join(',');
      const actual = spec.models.map((m) => m.name).join(',');
      if (declared !== actual) throw new Error(`engine "${name}": its descriptor declares models ${declared} but the implementation has ${actual}`);
      registerEngine(spec);
      return spec;
    });
    loading.set(name, p);
    p.finally(() => loading.delete(name)).catch(() => {});
  }
  return p;
}

/** Loads the engines of these models (unknown names throw the OptionError of modelInfo). */
export async function loadModels(names: readonly string[]): Promise<void> {
  const wanted = new Set(names.map((n) => modelInfo(n).engine));
  await Promise.all([...wanted].map((e) => loadEngine(e)));
}

/** Loads every registered engine (commands that may run any model: cv, compare, predict, ...). */
export async function loadAllEngines(): Promise<void> {
  await Promise.all([...described.keys()].map((e) => loadEngine(e)));
}

/** Every registered engine's names, loaded or described. */
export function engineNames(): readonly string[] {
  return [...engines.keys(), ...described.keys()];
}

/** The loaded engines (see loadAllEngines for the described ones). */
export function registeredEngines(): readonly EngineSpec[] {
  return [...engines.values()];
}

/** Every registered model's declarations (loaded or not): names, summaries, parameters. */
export function allModels(): readonly ModelInfo[] {
  return [...models.values()];
}

/** The declarations of the model of that name, whether its engine is loaded or not; unknown names
 * throw an OptionError listing the known ones. */
export function modelInfo(name: string): ModelInfo {
  const m = models.get(name);
  if (!m) throw new OptionError('model', `unknown model "${name}" (available: ${[...models.keys()].join(', ')})`);
  return m;
}

/** The model of that name, ready to build estimators. Its engine must be loaded (registerEngine, or
 * `await loadModels([name])` after a descriptor); unknown names throw an OptionError listing the
 * known ones. */
export function getModel(name: string): ModelDecl {
  const info = modelInfo(name);
  if (!engines.has(info.engine)) {
    throw new Error(`engine "${info.engine}" of model "${name}" is registered by its descriptor only: await loadModels(["${name}"]) before building its estimators`);
  }
  return info as ModelDecl;
}

export function getEngine(name: string): EngineSpec {
  const e = engines.get(name);
  if (e) return e;
  if (described.has(name)) throw new Error(`engine "${name}" is registered by its descriptor only: await loadEngine("${name}") first`);
  throw new OptionError('engine', `unknown engine "${name}" (available: ${engineNames().join(', ')})`);
}

/** Rebuilds a fitted estimator of any loaded engine from its saved state. */
export function loadEstimator(json: EstimatorJSON): Estimator {
  return getEngine(json.engine).load(json);
}

// The shipped engines as the CLI registers them: by declarations, implementations imported on first
// use (src/estimator/registry.ts loadModels / loadAllEngines), so that `polytask fit --model l21`
// does not load the neural engine, the balancing methods, evaluation or the report.
// The linear engine's declarations live beside its model implementations (src/linear/models/), so
// its "descriptor" is the engine itself; the neural engine's are in src/nn/params.ts.
// src/engines.ts (public API, worker threads) registers the same engines fully loaded; an engine
// added there adds its descriptor here (test/engine-descriptors.test.ts checks that they agree).
import type { EngineDescriptor } from './estimator/contract.ts';
import { registerEngine, registerEngineDescriptor } from './estimator/registry.ts';
import { nnModelInfos } from './nn/params.ts';

export const NN_DESCRIPTOR: EngineDescriptor = {
  name: 'nn',
  models: nnModelInfos(),
  load: async () => (await import('./nn/estimator.ts')).nnEngine,
};

/** Registers every shipped engine for the CLI: linear loaded, the others by descriptor. */
export async function registerShippedEngines(): Promise<void> {
  registerEngine((await import('./linear/engine.ts')).linearEngine);
  registerEngineDescriptor(NN_DESCRIPTOR);
}

// The engines shipped with polytask, registered once (src/estimator/registry.ts). Imported by the
// CLI, the public API (src/index.ts) and compare's worker threads (src/eval/split-worker.ts), so
// that every one of them can build and load any shipped engine's models. A new engine adds one
// import and one registerEngine line here; nothing else in cv, compare, model files or predict.
import { registerEngine } from './estimator/registry.ts';
import { linearEngine } from './linear/engine.ts';

registerEngine(linearEngine);

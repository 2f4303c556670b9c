// The public API of polytask. Everything a library user needs is re-exported here; deeper imports
// (polytask/dist/...) are not part of the stable surface.

// Errors
export * from './errors.ts';
export { VERSION } from './version.ts';

// Numeric core
export { Matrix, type Matrix32, type FloatArray } from './linalg/matrix.ts';
export * as ops from './linalg/ops.ts';
export { Random } from './linalg/random.ts';
export { eigh, spectralApply, type Eigh } from './linalg/decomp/eigh.ts';
export { svd, svdReconstruct, type SVD } from './linalg/decomp/svd.ts';
export { cholesky, choleskySolve } from './linalg/decomp/cholesky.ts';
export { solve, pinv, sqrtmPsd } from './linalg/decomp/solve.ts';
export { backendName, backendInfo, availableBackends, setBackend } from './linalg/backend.ts';

// Data
export type { MultiTaskDataset, TaskData, TaskKind, LabelMap } from './data/dataset.ts';
export { taskNames, taskIndex, totalSamples } from './data/dataset.ts';
export { loadCsv, loadCsvSync, loadCsvText, type CsvOptions, type CsvResult, type CsvReport } from './data/csv.ts';
export { loadMatCells, readMat } from './data/mat.ts';
export { saveDatasetJson, loadDatasetJson, datasetToJSON, datasetFromJSON } from './data/json.ts';
export { fitStandardizer, applyStandardizer, standardizeDataset, type Standardizer } from './data/preprocess.ts';
export { trainTestSplit, repeatedSplits, kFold, givenSplits, subsetDataset, type Split } from './data/split.ts';
export * as synthetic from './data/synthetic/index.ts';
export { toMulticlass, integerClasses } from './data/multiclass.ts';
export { parseModelSpec, type ParsedModelSpec } from './estimator/spec.ts';

// The estimator contract and the engine registry (every shipped engine is registered on import)
import './engines.ts';
export type {
  Estimator, EstimatorJSON, EngineSpec, ModelDecl, ParamDecl, GridRule, FitContext, FitDiagnostics, FitProgress, Options, OptionValue,
} from './estimator/contract.ts';
export { registerEngine, registeredEngines, allModels, getModel, getEngine, loadEstimator } from './estimator/registry.ts';
export { validateOptions, withDefaults, tunableParams } from './estimator/params.ts';

// Linear multi-task learning
export { MTLEstimator, FORMAT_VERSION, type LinearState } from './linear/estimator.ts';
export { getModelSpec, availableModels, ALL_MODEL_NAMES } from './linear/registry.ts';
export { getLoss, lossNames, lossForKind, registerLoss, type LossSpec, type Link } from './linear/loss/registry.ts';
export type { ModelName, ModelOptions, ModelSpec, FitInfo, FitResult, LearnedStructure, ModelJSON, Problem } from './linear/types.ts';

// Evaluation
export * as metrics from './eval/metrics.ts';
export { crossValidate, nestedCrossValidate, type CVOptions, type CVResult, type FitTally, type FitFailure } from './eval/cv.ts';
export { compare as compareSync, DEFAULT_MODELS, type CompareOptions, type ModelPlan } from './eval/compare.ts';
export { registryPlan } from './eval/plans.ts';
export { compareAsync as compare, compareAsync, type AsyncCompareOptions, type WorkersOption } from './eval/parallel.ts';
export { deltaM } from './eval/delta-m.ts';
export type { ComparisonResult, ModelComparison, TaskComparison, CVCurve, Summary, FitCounts, UnconvergedFit, ModelFailure } from './eval/types.ts';

// Files and report
export { writeModelFile, readModelFile } from './cli/model-file.ts';
export { renderReportHtml } from './report/html.ts';

// The contracts of linear multi-task learning. Every model is a small declaration (ModelSpec) that
// combines a loss, penalties and a solver; MTLEstimator (estimator.ts) gives every model the same
// scikit-learn-like face: options in the constructor, fit, predict, score, read-only learned state,
// toJSON / load.
//
// Objective (docs/objective.md), the same for every model:
//   Σ_t c_t Σ_i s_ti ℓ(y_ti, x_tiᵀ w_t + b_t) + Ω(W)
// c_t = 1 ('sum') or 1/n_t ('mean'), ℓ squared ½(y − ŷ)² or logistic log(1 + e^(−yŷ)), b_t never
// penalised; W is d × T (rows = features, columns = tasks).
import type { Matrix } from '../linalg/matrix.ts';
import type { ParamDecl } from '../estimator/contract.ts';

/** A registered loss (src/linear/loss/registry.ts: squared, logistic, poisson, ...). */
export type LossName = string;
export type Scaling = 'sum' | 'mean';

export type ModelName =
  | 'stl' | 'pooled' | 'chain' | 'graph' | 'mean' | 'mtrl' | 'relation' | 'lasso' | 'l21' | 'trace'
  | 'sparse-lowrank' | 'dirty' | 'robust' | 'rmtfl' | 'cmtl' | 'tgl';

/** One task's training data as a solver sees it. */
export interface TaskProblem {
  readonly name: string;
  readonly X: Matrix; // n_t × d
  readonly y: Float64Array; // regression values, or ±1
  readonly weights?: Float64Array; // s_ti
}

/** Everything a fit needs besides the model's own penalty weights. */
export interface Problem {
  readonly tasks: readonly TaskProblem[];
  readonly d: number;
  readonly loss: LossName;
  readonly scale: Scaling;
  readonly intercept: boolean;
  /** Feature names (for learned.selectedFeatures); absent for hand-built problems. */
  readonly featureNames?: readonly string[];
}

/** Options every model accepts; each model adds its own weights. Plain data, stored verbatim in model files. */
export type CommonOptions = {
  loss?: LossName;
  scale?: Scaling;
  intercept?: boolean;
  /** Adds ridge·‖W‖²_F to any model. */
  ridge?: number;
  /** Stopping tolerance on the relative proximal-gradient mapping (see docs/solvers.md). */
  tol?: number;
  maxIter?: number;
  /** Throw ConvergenceError instead of returning converged: false. */
  requireConvergence?: boolean;
  seed?: number;
  /** Solver choice where a model offers more than one (declared per model: ModelSpec.solvers). */
  solver?: string;
  /** Estimator only: standardise features before fitting (fitted on the training data; stored in the model file). */
  standardize?: 'none' | 'global' | 'task';
};

/** Every model's own options, with the papers' names (each model declares the ones it uses:
 * ModelSpec.params; construction rejects the others). */
export type ModelOptions = CommonOptions & {
  /** The main weight of the one-weight models (stl, pooled, chain, graph, mean, lasso, l21, trace). */
  lambda?: number;
  /** cmtl (Zhou, Chen & Ye 2011): ρ1, ρ2 and the number of clusters k. */
  rho1?: number;
  rho2?: number;
  clusters?: number;
  /** relation: α on ‖W − WR‖², β on ‖R‖². */
  alpha?: number;
  beta?: number;
  /** mtrl (Zhang & Yeung 2010, problem (4)): λ1 on ‖W‖²_F, λ2 on tr(WΩ⁻¹Wᵀ). */
  lambda1?: number;
  lambda2?: number;
  /** W = P + Q models (dirty, sparse-lowrank, robust, rmtfl): the weights on P and on Q. */
  lambdaP?: number;
  lambdaQ?: number;
  /** tgl (Zhou et al. 2011): θ2 on the temporal smoothness Σ‖w_t − w_{t+1}‖², θ3 on ‖W‖_2,1 (θ1 is --ridge). */
  theta2?: number;
  theta3?: number;
  /** graph: weighted task edges (task names or 0-based indices). */
  graph?: readonly { readonly from: string | number; readonly to: string | number; readonly weight?: number }[];
  /** stl: per-task ridge weights, by task name (overrides lambda for those tasks). */
  perTaskLambda?: Readonly<Record<string, number>>;
  /** relation: also add the chain term with this weight. */
  chain?: number;
};

/** Options as a model's fit sees them: every declared default applied, tol and maxIter set. */
export type FitOptions = ModelOptions & { readonly tol: number; readonly maxIter: number };

/** Progress and cancellation for long solver runs (src/estimator/contract.ts FitContext, linear side). */
export interface SolverHooks {
  /** Called at most every ~200 ms with the iteration and the current optimality measure. */
  readonly onProgress?: (iteration: number, optimality: number, detail?: string) => void;
  readonly signal?: AbortSignal;
}

/** What a solver reports; never silent about non-convergence. */
export interface FitInfo {
  readonly solver: string;
  readonly iterations: number;
  readonly converged: boolean;
  /** The final scale-free optimality measure (relative prox-gradient mapping, KKT residual, ...). */
  readonly optimality: number;
  /** The full objective (docs/objective.md) at the returned point. */
  readonly objective: number;
  /** Objective per iteration (outer iterations for alternating schemes). */
  readonly objectiveTrace: readonly number[];
  readonly seconds: number;
  readonly message?: string;
}

/** Structures a model learns besides W, shown to the user. */
export type LearnedStructure = {
  /** MTRL: task covariance Ω (T×T, trace 1) and its correlation matrix. */
  readonly taskCovariance?: Matrix;
  readonly taskCorrelation?: Matrix;
  /** relation: R (T×T, zero diagonal). */
  readonly relation?: Matrix;
  /** cmtl: cluster label per task (0..k−1), and M (T×T). */
  readonly clusters?: Int32Array;
  readonly clusterMatrix?: Matrix;
  /** robust: outlier task names (non-zero columns of Q). */
  readonly outlierTasks?: readonly string[];
  /** P + Q models: the two components. */
  readonly P?: Matrix;
  readonly Q?: Matrix;
  /** Features with a non-zero row in W (l21, lasso, rmtfl, tgl, dirty). */
  readonly selectedFeatures?: readonly string[];
  /** Numerical rank of W (trace, sparse-lowrank, robust). */
  readonly rank?: number;
};

/** The result of fitting one model: the pure output of ModelSpec.fit. */
export interface FitResult {
  readonly W: Matrix; // d × T
  readonly intercepts: Float64Array; // T
  readonly info: FitInfo;
  readonly learned: LearnedStructure;
}

/** Warm start for a path of fits (CV along a λ grid). */
export interface WarmStart {
  readonly W?: Matrix;
  readonly intercepts?: Float64Array;
  /** Model-specific extra state (e.g. P and Q, Ω, M). */
  readonly extra?: Readonly<Record<string, Matrix>>;
  /** Set by MTLEstimator: the Problem built from this fit's dataset, reused by the next fit of a λ path
   * on the SAME dataset object with the same data options (issue 17), so that the Gram form and the
   * loss caches (WeakMaps keyed by the Problem) are built once per CV fold instead of once per λ. */
  readonly path?: PathReuse;
  /** The row-penalty weight this warm start was fitted at (lasso, l21, tgl): the sequential strong
   * rule of the next fit of the path (solver/bcd.ts, previousLambda). */
  readonly lambda?: number;
}

/** What a λ path reuses between fits (see WarmStart.path). Datasets are treated as immutable. */
export interface PathReuse {
  readonly dataset: object;
  /** standardize | loss | scale | intercept of the fit that built `problem`. */
  readonly key: string;
  readonly problem: Problem;
  readonly standardizer?: unknown;
}

export interface ModelSpec {
  readonly name: ModelName;
  /** One line for --help and reports. */
  readonly summary: string;
  /** Every option the model accepts, with defaults, ranges and CV grid rules (common options included). */
  readonly params: readonly ParamDecl[];
  /** Pure: fits the problem; never mutates it. Options are resolved against params first. */
  fit(problem: Problem, options: ModelOptions, warm?: WarmStart, hooks?: SolverHooks): FitResult & { readonly warm?: WarmStart };
  /** The data-dependent top of a tuned parameter's grid (λ_max where W = 0 becomes optimal), where it exists. */
  paramMax?(param: string, problem: Problem, options: ModelOptions): number | undefined;
}

/** The serialised form of a fitted model (the model file's payload; src/cli/model-file.ts adds the
 * checksum envelope and atomic writes). Numbers are JSON numbers: JavaScript prints the shortest
 * string that parses back to the same float64, so the round trip is exact. */
export interface ModelJSON {
  readonly format: 'polytask-model';
  readonly formatVersion: 1;
  readonly polytaskVersion: string;
  readonly model: ModelName;
  readonly options: ModelOptions;
  readonly kind: 'regression' | 'binary';
  readonly labelMap?: { readonly negative: string; readonly positive: string };
  readonly taskNames: readonly string[];
  readonly featureNames: readonly string[];
  /** Fitted standardisation, applied to raw features before W (none: absent). */
  readonly standardizer?: StandardizerJSON;
  readonly W: readonly (readonly number[])[]; // d rows × T columns
  readonly intercepts: readonly number[];
  readonly info: FitInfo;
  readonly learned: Readonly<Record<string, unknown>>;
}

export interface StandardizerJSON {
  readonly mode: 'global' | 'task';
  /** One row (global) or one row per task (task): the means and scales of the d features. */
  readonly mean: readonly (readonly number[])[];
  readonly scale: readonly (readonly number[])[];
}

// The one estimator contract shared by every engine (linear, neural, and later ones). cv, compare,
// model files, `predict` and the report speak only this language; an engine plugs in by
// registering an EngineSpec (src/estimator/registry.ts), never by edits to them.
//
// As in scikit-learn: options in the constructor (plain JSON data, validated there against the
// model's declared hyper-parameters), fit, predict, score, learned state read-only after fit, and
// a versioned state that loads back identically.
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { Matrix } from '../linalg/matrix.ts';
import type { ReportPanelsFn } from '../report/panel.ts';

/** An option value as stored verbatim in model files. */
export type OptionValue = number | string | boolean | readonly number[] | readonly string[] | OptionRecord | readonly OptionRecord[];
export interface OptionRecord { readonly [key: string]: OptionValue | undefined }
export type Options = Readonly<Record<string, OptionValue | undefined>>;

/** How cross-validation builds the grid of a tunable hyper-parameter. */
export type GridRule =
  /** log-spaced downward from the model's data-dependent maximum (λ_max: L1, L21, trace). */
  | { readonly kind: 'from-max'; readonly decades: number; readonly points: number }
  /** log-spaced around a data-scaled value (the loss curvature scale); extended when the optimum is on an edge. */
  | { readonly kind: 'data-scaled'; readonly decades: number; readonly points: number }
  /** a fixed list (e.g. learning rates, numbers of clusters). */
  | { readonly kind: 'fixed'; readonly values: readonly number[] };

/** One hyper-parameter as a model declares it. Construction validates every option against these. */
export interface ParamDecl {
  /** The option key (camelCase, as in model files), e.g. 'lambda', 'rho1', 'lambdaP'. */
  readonly name: string;
  /** The CLI flag, e.g. '--rho1', '--lambda-p'. */
  readonly flag: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'enum' | 'string' | 'number-list' | 'json';
  /** One line for `--help` and the report, naming the paper's symbol. */
  readonly help: string;
  readonly default?: OptionValue;
  /** Inclusive bounds for numbers; `exclusiveMin` for strictly positive weights. */
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly choices?: readonly string[];
  /** Present when CV may tune it. */
  readonly tune?: { readonly scale: 'log' | 'linear'; readonly grid: GridRule };
}

/** Kind of a task's target; a data set may mix kinds (each task carries its own). Multiclass: one
 * of K classes (labels stored as the class index; only engines that declare it fit it, the linear
 * engine refuses it). */
export type TaskKind = 'regression' | 'binary' | 'count' | 'multiclass';

/** What one fit reports; counted per model, split and fold by the evaluation (never hidden). */
export interface FitDiagnostics {
  readonly converged: boolean;
  /** Scale-free optimality measure for convex solvers; for neural training, the final validation loss change. */
  readonly optimality: number | null;
  readonly iterations: number;
  readonly seconds: number;
  /** Kernel backend that ran the fit ('native' | 'wasm' | 'ts'). */
  readonly backend: string;
  readonly message?: string;
}

/** Progress of a running fit, reported every few hundred milliseconds at most. */
export interface FitProgress {
  /** 0..1 when known. */
  readonly fraction?: number;
  /** A short human line: 'iteration 812, optimality 3.1e-5' or 'epoch 12/50, val loss 0.231'. */
  readonly detail: string;
  /** The solver's iteration (or epoch) and its optimality measure, when it has them (the CLI shows
   * how far the optimality has come towards the tolerance as a percentage with an ETA). */
  readonly iteration?: number;
  readonly optimality?: number;
}

export interface FitContext {
  /** Warm start from a previous fit of the same model along a path (engine-specific, opaque). */
  readonly warm?: unknown;
  readonly onProgress?: (p: FitProgress) => void;
  /** Stops the fit between iterations/steps; the fit then throws AbortError (src/errors.ts, code 'ABORTED'). */
  readonly signal?: AbortSignal;
}

/** A fitted or unfitted estimator of any engine. Fitting returns a new fitted estimator (or this,
 * frozen); learned state is read-only afterwards. */
export interface Estimator {
  readonly engine: string;
  readonly model: string;
  /** The options as given, plus every default that was used (so files and output show them). */
  readonly options: Options;
  readonly fitted: boolean;
  clone(patch?: Options): Estimator;
  fit(ds: MultiTaskDataset, ctx?: FitContext): Estimator;
  /** Regression value, binary margin (logit), count log-rate or multiclass class index (the most
   * probable class, 0..K−1), per row of X, for the named task. */
  predict(X: Matrix, task: string): Float64Array;
  /** Predictions on the response scale through the task's link (identity, sigmoid, exp; multiclass:
   * the class index, as predict). */
  predictResponse?(X: Matrix, task: string): Float64Array;
  /** Multiclass tasks: the n × K class probabilities (softmax of the K logits), rows summing to 1. */
  classProbabilities?(X: Matrix, task: string): Matrix;
  /** State to warm-start the next fit of a path from (CV λ paths). */
  readonly warmStart?: unknown;
  readonly diagnostics?: FitDiagnostics;
  /** Learned structures to show (task covariance, clusters, gates, ...), JSON-serialisable. */
  readonly learned?: Readonly<Record<string, unknown>>;
  /** The versioned, engine-specific state: what a model file stores as its payload. */
  toJSON(): EstimatorJSON;
}

/** The columns of a training table that were not features (CSV, Arrow, Parquet). */
export interface DataColumns {
  /** Long form: the column naming each row's task. */
  readonly taskCol?: string;
  /** The label columns: --target, --targets or the --one-vs-rest column. */
  readonly targets?: readonly string[];
  /** Columns left out with --skip. */
  readonly skip?: readonly string[];
  /** True when the features were listed with --features, so that every other column was ignored. */
  readonly featuresListed?: boolean;
}

/** The payload of a model file for any engine. */
export interface EstimatorJSON {
  readonly format: 'polytask-model';
  readonly formatVersion: number;
  readonly polytaskVersion: string;
  readonly engine: string;
  readonly model: string;
  readonly options: Options;
  readonly taskNames: readonly string[];
  readonly taskKinds: readonly TaskKind[];
  readonly featureNames: readonly string[];
  /** Binary tasks: the original labels that became −1 and +1 (for `predict` output). */
  readonly labelMap?: { readonly negative: string; readonly positive: string };
  /** Multiclass tasks: the class labels of each task in index order (null for other tasks). */
  readonly classes?: readonly (readonly string[] | null)[];
  /** The training file's non-feature columns as the CLI read them (written by `fit --out` and
   * `train --out`), so that `predict` reads a file of the same layout without repeating the flags. */
  readonly columns?: DataColumns;
  /** Engine-specific learned state (weights, standardiser, ...). */
  readonly state: unknown;
}

/** What is known of a model before its engine's implementation is loaded: enough for `--help`,
 * option validation and dispatch (engine descriptors, src/estimator/registry.ts). */
export interface ModelInfo {
  readonly engine: string;
  readonly name: string;
  readonly summary: string;
  readonly params: readonly ParamDecl[];
  /** The single-task baseline of this model's family ('stl' for linear, 'stl-mlp' for neural). */
  readonly baseline: string;
}

/** One model an engine offers. */
export interface ModelDecl extends ModelInfo {
  readonly engine: string;
  readonly name: string;
  readonly summary: string;
  readonly params: readonly ParamDecl[];
  /** Builds an unfitted estimator; throws OptionError naming the option (and its flag) on bad options. */
  make(options: Options): Estimator;
  /** The data-dependent top of a tuned parameter's grid on this training part: for 'from-max' the
   * value where the model becomes empty (λ_max), for 'data-scaled' the data-scaled top; undefined
   * when the engine has none (cv then uses a generic data scale, src/eval/grid.ts). */
  paramMax?(param: string, train: MultiTaskDataset, options: Options): number | undefined;
  /** The single-task baseline of this model's family ('stl' for linear, 'stl-mlp' for neural). */
  readonly baseline: string;
  /** Relative cost of one fit, in seconds, for the worker-pool decision; calibrated by measurement. */
  estimateSeconds?(train: MultiTaskDataset, options: Options): number;
  /** Panels of the HTML report drawn from a fitted model's `learned` record (src/report/panel.ts):
   * how an engine shows what its models learned without edits to the report. */
  readonly reportPanels?: ReportPanelsFn;
}

/** An engine registers its models and how to load its saved state. */
export interface EngineSpec {
  readonly name: string;
  readonly models: readonly ModelDecl[];
  /** Rebuilds a fitted estimator from its saved JSON (model files, worker threads). */
  load(json: EstimatorJSON): Estimator;
}

/** An engine known by its declarations alone; its implementation module is imported on first use
 * (the CLI starts without loading engines it does not run). `load` resolves to the full EngineSpec,
 * whose models must declare exactly these `models`. */
export interface EngineDescriptor {
  readonly name: string;
  readonly models: readonly ModelInfo[];
  load(): Promise<EngineSpec>;
}

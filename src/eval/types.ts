// Result types of evaluation, shared by cv.ts, compare.ts, the CLI (--json) and the HTML report.
// Metric keys are snake_case, as printed by `polytask compare --json`.

/** Aggregated over repeated splits. */
export interface Summary {
  readonly mean: number;
  readonly std: number;
  readonly values: readonly number[];
}

/** Cross-validation curve over a one-parameter grid (the second parameter, if any, fixed at its chosen value). */
export interface CVCurve {
  readonly param: string; // 'lambda' | 'lambda2' | ...
  readonly grid: readonly number[];
  readonly mean: readonly number[]; // mean CV error per grid point (lower is better)
  readonly se: readonly number[]; // standard error over folds
  readonly metric: string; // e.g. 'mse', 'logloss', 'poisson_deviance'
  readonly bestIndex: number; // minimum mean
  readonly oneSeIndex: number; // most regularised within one SE of the minimum
  readonly chosenIndex: number; // by the rule in use
  readonly rule: 'min' | '1se';
  /** Set when the minimum lies on an edge of the grid of ANY tuned parameter (every such axis named;
   * the best value may lie beyond it). */
  readonly warning?: string;
}

export interface TaskComparison {
  readonly task: string;
  readonly n_test: number;
  /** Primary metric (rmse for regression, auc for binary), mean over splits. */
  readonly [metric: string]: number | string | boolean | null;
  readonly gain_over_stl: number; // relative gain in % (positive = better than STL), mean over splits
  readonly p_value: number | null; // paired test over splits vs STL
  readonly p_adjusted: number | null; // Holm-adjusted over tasks
  readonly negative_transfer: boolean; // significantly worse than STL
  readonly positive_transfer: boolean; // significantly better than STL
}

export interface ModelComparison {
  readonly name: string;
  readonly metrics: Readonly<Record<string, Summary>>; // e.g. rmse_task_avg, rmse, explained_variance, auc_task_avg
  readonly tasks: readonly TaskComparison[];
  /** Δm% against STL (docs/metrics.md), mean over splits. */
  readonly delta_m: number | null;
  /** The single-task baseline this model's gains, Δm and tests are measured against (its family's:
   * stl for linear models, stl-mlp for neural ones). */
  readonly baseline?: string;
  /** The same paired test over splits on the task-averaged primary metric (rmse_task_avg or
   * auc_task_avg) against STL: one test per model, no multiplicity over tasks. Null p with one split. */
  readonly vs_stl?: { readonly metric: string; readonly mean_difference: number; readonly p_value: number | null };
  /** Hyper-parameters chosen by CV on each split. */
  readonly chosen: readonly Readonly<Record<string, number>>[];
  /** Models tuned per task (stl): λ per task name, on each split. */
  readonly chosenPerTask?: readonly Readonly<Record<string, number>>[];
  /** Metric keys whose per-task values were undefined on some split (e.g. AUC of a one-class test
   * part), with the number of (task, split) pairs left out of the aggregates. */
  readonly excluded?: Readonly<Record<string, number>>;
  /** CV curve of the first split (for the report). */
  readonly cv?: CVCurve;
  /** Fit on the first split's training part with the chosen hyper-parameters. */
  readonly fit?: {
    readonly objectiveTrace: readonly number[];
    readonly iterations: number;
    readonly converged: boolean;
    readonly seconds: number;
    readonly W: readonly (readonly number[])[]; // d × T (empty for models without a linear W: neural)
    readonly learned: Readonly<Record<string, unknown>>;
    /** The estimator's engine and model declaration (e.g. 'nn', 'mmoe'): the report asks that
     * declaration for its panels (ModelDecl.reportPanels). Absent in results saved before. */
    readonly engine?: string;
    readonly model?: string;
  };
  readonly seconds: number;
  // ---- Nothing hidden: every fit of this model, counted (issue 9) ----
  /** All fits of the model over all splits: CV fits (every fold and grid point) and refits. */
  readonly fits: FitCounts;
  /** The same per split, with the count per CV fold and the refit's diagnostics. */
  readonly fits_per_split: readonly (FitCounts & {
    readonly split: number; // 1-based
    readonly per_fold: readonly { readonly fold: number; readonly fits: number; readonly unconverged: number; readonly failed: number }[];
    readonly refit: { readonly converged: boolean; readonly optimality: number | null; readonly iterations: number; readonly seconds: number; readonly backend: string } | null;
  })[];
  /** The fits that stopped unconverged (fold null = the split's refit), at most 50 listed. */
  readonly unconverged: readonly UnconvergedFit[];
  /** Every failed fit or unit, with its message (the comparison went on without it). */
  readonly failures: readonly ModelFailure[];
  /** (split, model) units that failed as a whole (no test metrics on that split). */
  readonly units_failed: number;
  /** CV grid-edge warnings, every axis, every split. */
  readonly cv_warnings: readonly { readonly split: number; readonly warning: string }[];
}

/** Counted diagnostics of a set of fits. */
export interface FitCounts {
  readonly total: number;
  readonly unconverged: number;
  readonly failed: number;
  /** The largest final optimality measure (scale-free; ≤ tol when converged), null when none reported. */
  readonly worst_optimality: number | null;
  readonly seconds: number;
  /** Kernel backends the fits ran on ('wasm', 'ts', 'native'). */
  readonly backends: readonly string[];
}

export interface UnconvergedFit {
  readonly split: number;
  /** The CV fold (1-based), or null for the split's refit. */
  readonly fold: number | null;
  readonly params: Readonly<Record<string, number>>;
  readonly optimality: number | null;
  readonly message?: string;
}

export interface ModelFailure {
  readonly split: number;
  readonly fold: number | null;
  /** 'cv': one CV fit; 'refit': the refit with the chosen values; 'unit': the whole (split, model) unit. */
  readonly stage: 'cv' | 'refit' | 'unit';
  readonly params?: Readonly<Record<string, number>>;
  readonly message: string;
}

export interface DatasetSummary {
  readonly source: string;
  readonly kind: 'regression' | 'binary' | 'count' | 'multiclass';
  readonly layout: 'per-task' | 'multi-output';
  /** kind: present when the task's kind differs from the data set's. */
  readonly tasks: readonly { readonly name: string; readonly n: number; readonly positives?: number; readonly kind?: 'regression' | 'binary' | 'count' | 'multiclass'; readonly classes?: number }[];
  readonly features: readonly string[];
}

export interface ComparisonResult {
  readonly dataset: DatasetSummary;
  readonly protocol: {
    readonly splits: number;
    readonly splitSource: 'given' | 'random';
    readonly testRatio?: number;
    readonly seed: number;
    readonly cvFolds: number;
    readonly rule: 'min' | '1se';
    readonly alpha: number; // significance level for transfer flags
    readonly test: string; // e.g. 'paired t-test, Holm over tasks'
    /** Why significance could not be assessed (one split), or other caveats of the protocol. */
    readonly note?: string;
  };
  /** rmse (regression, lower is better), auc (binary), accuracy (multiclass; both higher is better). */
  readonly primaryMetric: 'rmse' | 'auc' | 'accuracy';
  readonly higherIsBetter: boolean;
  readonly baseline: string; // 'stl'
  readonly models: readonly ModelComparison[];
  /** Wall time of the whole comparison (s) and the threads its units ran on. A model's `seconds`
   * is the sum of its units' wall times, which exceeds this on several workers; tables show a
   * model's time per split (seconds / splits) beside this total. */
  readonly wallSeconds?: number;
  readonly workers?: number;
}

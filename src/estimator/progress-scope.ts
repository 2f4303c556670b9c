// Progress of long synchronous work (solver iterations, CV fits) reported to whoever is listening.
//
// WHY a scope and not a callback threaded through every signature: a fit is synchronous and its
// iterations happen deep inside solvers (fista, alternating minimisation, SGD, the inner W-steps
// of mtrl/relation), reached through a dozen model files. FitContext.onProgress
// (./contract.ts) is the public way in; this module is how it reaches the solvers without every
// model forwarding it: `withProgressListener(l, fn)` installs `l` for the duration of the
// synchronous call `fn` (restored in `finally`, so nesting works), and solvers call
// `reportIteration` / CV calls `reportFit`. JavaScript cannot interleave another synchronous call,
// so a module-level slot is exactly as scoped as the call itself. Nothing is computed when no one
// listens (`listening()` is checked before building an event).

/** One solver iteration. `optimality` is the solver's own stopping measure (scale-free). */
export interface IterationEvent {
  readonly kind: 'iteration';
  readonly solver: string;
  readonly iteration: number;
  readonly maxIter: number;
  readonly optimality: number;
  readonly tol: number;
}

/** One fit of a cross-validation is about to start. */
export interface FitEvent {
  readonly kind: 'fit';
  /** Fits done so far and the current total (the total grows when a grid is extended). */
  readonly done: number;
  readonly total: number;
  /** e.g. 'fold 2/5, lambda = 0.01' */
  readonly label: string;
}

export type ProgressEvent = IterationEvent | FitEvent;
export type ProgressListener = (e: ProgressEvent) => void;

let current: ProgressListener | undefined;

/** Runs the synchronous `fn` with `listener` receiving its progress events. */
export function withProgressListener<T>(listener: ProgressListener | undefined, fn: () => T): T {
  if (!listener) return fn();
  const prev = current;
  current = listener;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** Someone listens: callers check this before building an event. */
export function listening(): boolean {
  return current !== undefined;
}

export function reportProgress(e: ProgressEvent): void {
  current?.(e);
}

/** A solver's name without its parenthesised details ('fista (mtrl W-step)' → 'fista'). */
const shortSolver = (solver: string): string => solver.replace(/\s*\(.*\)\s*$/, '');

/** The event as a short human line (used by the CLI and by worker threads' messages). */
export function describeProgress(e: ProgressEvent): string {
  if (e.kind === 'fit') return `fit ${e.done + 1}/${e.total} (${e.label})`;
  const opt = Number.isFinite(e.optimality) ? e.optimality.toExponential(1) : '–';
  return `${shortSolver(e.solver)} iteration ${e.iteration}, optimality ${opt} (stops at ${e.tol.toExponential(0)})`;
}

/** A describer for one unit of work (a CV of a model): the current fit, then its solver's state —
 * 'fit 12/50 (fold 3/5, lambda = 0.1): fista iteration 40, optimality 3.1e-5 (stops at 1e-6)'. */
export function unitDescriber(): (e: ProgressEvent) => string {
  let fit = '';
  return (e) => {
    if (e.kind === 'fit') return (fit = describeProgress(e));
    return fit ? `${fit}: ${describeProgress(e)}` : describeProgress(e);
  };
}

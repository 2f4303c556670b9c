// Progress of long synchronous work (CV fits, solver iterations) reported to whoever is listening.
//
// WHY a scope and not only callbacks: a single fit reports through FitContext.onProgress
// (./contract.ts), but a comparison runs CV inside every (split, model) unit — in this thread or in
// a worker — through compare → runSplit → crossValidate → fit, and the CLI wants to know which fold
// and grid point is running and what its solver is doing. `withProgressListener(l, fn)` installs
// `l` for the duration of the synchronous call `fn` (restored in `finally`, so nesting works); CV
// reports each fit ('fit' events) and hands its fits a FitContext whose onProgress forwards the
// solver's reports ('iteration' events; scopedContext). JavaScript cannot interleave another
// synchronous call, so a module-level slot is exactly as scoped as the call itself. Nothing is
// built when no one listens (`listening()`).
import type { FitContext, FitProgress } from './contract.ts';

/** A solver's report (FitContext.onProgress): its line, and the numbers when the engine gives them. */
export interface IterationEvent {
  readonly kind: 'iteration';
  readonly detail: string;
  readonly iteration?: number;
  readonly optimality?: number;
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

/** The event as a short human line (used by the CLI and by worker threads' messages). */
export function describeProgress(e: ProgressEvent): string {
  return e.kind === 'fit' ? `fit ${e.done + 1}/${e.total} (${e.label})` : e.detail;
}

/** The FitContext to hand a fit: `ctx` plus, when someone listens, an onProgress that forwards the
 * solver's reports as 'iteration' events (a given onProgress is still called). */
export function scopedContext(ctx: Omit<FitContext, 'warm'> | undefined): Omit<FitContext, 'warm'> | undefined {
  if (!listening()) return ctx;
  const own = ctx?.onProgress;
  return {
    ...ctx,
    onProgress: (p: FitProgress) => {
      own?.(p);
      reportProgress({ kind: 'iteration', detail: p.detail, ...(p.iteration !== undefined ? { iteration: p.iteration } : {}), ...(p.optimality !== undefined ? { optimality: p.optimality } : {}) });
    },
  };
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

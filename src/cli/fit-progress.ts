// A fit's progress (FitContext.onProgress, src/estimator/contract.ts) as a percentage and a line.
// The percentage is how far the optimality measure has come, on a log scale, from its first
// reported value down to the tolerance: first-order solvers converge (at best) linearly, so decades
// of optimality per iteration are roughly constant and this fraction gives a usable ETA — unlike
// iteration/maxIter, since most fits stop long before the cap. An engine's own `fraction` (epochs)
// is used when it gives one.
import type { FitProgress } from '../estimator/contract.ts';
import type { Progress } from './progress.ts';

export function fitFraction(first: number, optimality: number, tol: number): number {
  if (!(first > tol) || !(optimality > 0) || !Number.isFinite(optimality) || !Number.isFinite(first)) return 0;
  return Math.min(0.99, Math.max(0, Math.log(first / optimality) / Math.log(first / tol)));
}

/** An onProgress that drives `progress` (started here as a percentage). `tol`: the fit's tolerance;
 * `model`: its name, dropped from the start of the engine's lines (the label already says it). */
export function fitProgress(progress: Progress, label: string, tol: number | undefined, model?: string): (p: FitProgress) => void {
  progress.start(100, label, '%');
  const prefix = model ? `${model}: ` : undefined;
  let first = Number.NaN;
  let pct = 0;
  return (p) => {
    if (p.fraction !== undefined && Number.isFinite(p.fraction)) pct = 100 * Math.min(0.99, Math.max(0, p.fraction));
    else if (p.optimality !== undefined && tol !== undefined) {
      if (!Number.isFinite(first)) first = p.optimality;
      pct = Math.max(pct, 100 * fitFraction(first, p.optimality, tol));
    }
    const detail = prefix && p.detail.startsWith(prefix) ? p.detail.slice(prefix.length) : p.detail;
    progress.update(pct, `${detail}${tol !== undefined && p.optimality !== undefined ? ` (stops at ${tol.toExponential(0)})` : ''}`);
  };
}

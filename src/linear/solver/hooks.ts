// Progress and cancellation inside the solvers' loops (FitContext.onProgress / signal of the
// estimator contract, src/estimator/contract.ts). A solver calls tick(iteration, optimality) once per
// iteration: it costs one clock read every 16 iterations, reports at most every PROGRESS_MS, and
// throws AbortError when the caller's signal has fired, so a long fit stops between iterations with
// nothing half-written (the estimator's state is only set after a fit returns).
import { AbortError } from '../../errors.ts';
import type { SolverHooks } from '../types.ts';

/** Minimum interval between two progress reports. */
export const PROGRESS_MS = 200;

export type Tick = (iteration: number, optimality: number) => void;

/** `every`: read the clock every that many iterations (16 for cheap iterations, 1 for outer
 * iterations or epochs that each take long). */
export function progressTicker(hooks: SolverHooks | undefined, solver: string, every = 16): Tick {
  if (!hooks || (!hooks.onProgress && !hooks.signal)) return () => {};
  const { onProgress, signal } = hooks;
  if (signal?.aborted) throw new AbortError(solver);
  let last = performance.now();
  let count = 0;
  return (iteration, optimality) => {
    if (signal?.aborted) throw new AbortError(`${solver} (iteration ${iteration})`);
    if (!onProgress || ++count % every !== 0) return;
    const now = performance.now();
    if (now - last < PROGRESS_MS) return;
    last = now;
    onProgress(iteration, optimality, `${solver}: iteration ${iteration}, optimality ${optimality.toExponential(2)}`);
  };
}

// Δm%: the average relative improvement of a model M over a baseline B across tasks
// (Maninis et al., CVPR 2019, eq. 5; the form used by LibMTL):
//
//   Δm = (1/T) Σ_t (−1)^{h_t} (B_t − M_t) / B_t × 100,   h_t = 1 if higher is better for task t's metric.
//
// Sign convention: POSITIVE Δm = the model is BETTER than the baseline. For a lower-is-better
// metric (RMSE) h_t = 0 and the term is (B − M)/B, positive when M < B; for a higher-is-better
// metric (AUC) h_t = 1 and the term is (M − B)/B, positive when M > B.
import { DataError } from '../errors.ts';

/** One task's relative gain of M over B in %, positive = better (the summand of Δm). */
export function relativeGain(model: number, baseline: number, higherIsBetter: boolean): number {
  if (baseline === 0) return Number.NaN; // relative change undefined
  const g = ((baseline - model) / Math.abs(baseline)) * 100;
  return higherIsBetter ? -g : g;
}

export interface DeltaM {
  /** Δm in %, positive = better than the baseline. */
  readonly value: number;
  /** Tasks whose metric (model or baseline) was not finite or whose baseline was 0, left out. */
  readonly excludedTasks: number;
}

/** Δm over tasks; `higherIsBetter` per task or one flag for all. Tasks with a non-finite term are
 * excluded and counted (never silently turned into 0). */
export function deltaM(model: readonly number[], baseline: readonly number[], higherIsBetter: boolean | readonly boolean[]): DeltaM {
  if (model.length !== baseline.length) throw new DataError(`deltaM: ${model.length} model values but ${baseline.length} baseline values`);
  if (model.length === 0) throw new DataError('deltaM: no tasks');
  let s = 0;
  let k = 0;
  for (let t = 0; t < model.length; t++) {
    const h = typeof higherIsBetter === 'boolean' ? higherIsBetter : higherIsBetter[t]!;
    const g = relativeGain(model[t]!, baseline[t]!, h);
    if (Number.isFinite(g)) {
      s += g;
      k++;
    }
  }
  return { value: k > 0 ? s / k : Number.NaN, excludedTasks: model.length - k };
}

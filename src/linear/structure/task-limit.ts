// Models whose cost grows like T³ by formulation (issue 15: "a fit's cost grows linearly in T", and a
// clear error rather than a silent hour-long run where it cannot). The relation model learns a dense
// T × T relation matrix R and factorises T × T matrices at every iteration; mtrl's published
// alternating scheme decomposes the T × T Ω at every outer step. Their cost per iteration is ~T³
// flops whatever the data, so past a few thousand tasks a fit runs for hours: refuse it up front,
// naming the cost and the models whose cost per iteration grows linearly in T
// (bench/growth.bench.ts; docs/data-at-scale.md, "Growth in T across models").
import { UnsupportedError } from '../../errors.ts';

/** The largest T these models accept (relation at T = 1 000 already took > 60 s CPU; ×8 per doubling). */
export const CUBIC_TASK_LIMIT = 2000;

/**
 * Throws when T exceeds CUBIC_TASK_LIMIT. `what` says which T × T work the model does per iteration and
 * `flopsPerT3` its flops as a multiple of T³ (for the estimate in the message).
 */
export function checkCubicInTasks(model: string, T: number, what: string, flopsPerT3: number): void {
  if (T <= CUBIC_TASK_LIMIT) return;
  const flops = flopsPerT3 * T ** 3;
  const bytes = 8 * T * T;
  const size = bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
  throw new UnsupportedError(
    `${model}: ${T} tasks is beyond this model's limit of ${CUBIC_TASK_LIMIT}: ${what}, ~${flops.toExponential(1)} flops per iteration ` +
      `(growing like T³; relation at T = 1 000 already ran > 60 s) and ${size} per T × T matrix. Models whose cost per iteration grows ` +
      `linearly in T: l21, lasso, tgl, trace, dirty, sparse-lowrank, robust, rmtfl, cmtl, mtrl (solver admm or fista), stl, chain, graph, mean; ` +
      `or group the tasks first (polytask group).`,
  );
}

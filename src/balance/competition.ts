// Seeing task competition: pure functions of the Gramian K = G Gᵀ that the trainer logs per step or
// per epoch (cosines, the number of conflicting pairs, gradient-norm ratios).
import { ShapeError } from '../errors.ts';
import type { Matrix } from '../linalg/matrix.ts';

function checkSquare(K: Matrix, what: string): number {
  if (K.rows !== K.cols) throw new ShapeError(`${what}: Gramian must be square, got ${K.rows}×${K.cols}`);
  return K.rows;
}

/** Task-gradient norms ‖g_t‖ = √K_tt. */
export function gradientNorms(K: Matrix): Float64Array {
  const T = checkSquare(K, 'gradientNorms');
  return Float64Array.from({ length: T }, (_, t) => Math.sqrt(Math.max(K.data[t * T + t]!, 0)));
}

/** C_ij = cos(g_i, g_j) = K_ij / (‖g_i‖‖g_j‖); 0 where a gradient is zero (no direction). Row-major T × T. */
export function cosineMatrix(K: Matrix): Float64Array {
  const T = checkSquare(K, 'cosineMatrix');
  const n = gradientNorms(K);
  const C = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      const d = n[i]! * n[j]!;
      C[i * T + j] = d > 0 ? Math.max(-1, Math.min(1, K.data[i * T + j]! / d)) : 0;
    }
  }
  return C;
}

/** Number of unordered pairs i < j whose gradients conflict: cos(g_i, g_j) < −tol (tol ≥ 0; default 0). */
export function conflictingPairs(K: Matrix, tol = 0): number {
  const T = checkSquare(K, 'conflictingPairs');
  const C = cosineMatrix(K);
  let c = 0;
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) if (C[i * T + j]! < -tol) c++;
  return c;
}

export interface NormRatios {
  readonly norms: Float64Array;
  /** ‖g_t‖ / mean_j ‖g_j‖ (all 1 when the norms are equal; 0 when every gradient is zero). */
  readonly relative: Float64Array;
  /** max ‖g‖ / min ‖g‖ (Infinity when some but not all gradients are zero; 1 when all are zero). */
  readonly maxOverMin: number;
}

export function gradientNormRatios(K: Matrix): NormRatios {
  const norms = gradientNorms(K);
  const T = norms.length;
  let s = 0;
  let mx = 0;
  let mn = Infinity;
  for (const v of norms) {
    s += v;
    mx = Math.max(mx, v);
    mn = Math.min(mn, v);
  }
  const mean = T > 0 ? s / T : 0;
  return {
    norms,
    relative: norms.map((v) => (mean > 0 ? v / mean : 0)),
    maxOverMin: mx === 0 ? 1 : mn === 0 ? Infinity : mx / mn,
  };
}

/** Everything above in one record, for the trainer's per-step log. */
export function competition(K: Matrix): { cosines: Float64Array; conflicts: number; ratios: NormRatios } {
  return { cosines: cosineMatrix(K), conflicts: conflictingPairs(K), ratios: gradientNormRatios(K) };
}

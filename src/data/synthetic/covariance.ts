// A given task covariance (the generative model behind MTRL, Zhang & Yeung, UAI 2010, whose prior is
// W ~ MN(0, I_d ⊗ Ω)): each row of W (one feature across the T tasks) is an independent draw
// w^(j) ~ N(0, Σ). Drawn as w^(j) = Σ^½ z_j with z_j ~ N(0, I_T) and Σ^½ the symmetric PSD square
// root, which (unlike a Cholesky factor) also exists for a singular Σ.
import { OptionError, PolytaskError } from '../../errors.ts';
import { Random } from '../../linalg/random.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { sqrtmPsd } from '../../linalg/decomp/solve.ts';
import { describe, drawIntercepts, resolveCommon, samplePerTask, type Resolved } from './common.ts';
import type { SyntheticOptions, SyntheticProblem } from './types.ts';

export interface CovarianceOptions extends Omit<SyntheticOptions, 'T'> {
  /** T × T symmetric positive semi-definite task covariance Σ (required; T is its size). */
  covariance: Matrix;
}

/** Σ^½ of a checked covariance; the OptionError names the option and what is wrong. */
export function covarianceRoot(S: Matrix): Matrix {
  if (S.rows !== S.cols || S.rows === 0) throw new OptionError('covariance', `must be a non-empty square matrix, got ${S.rows}×${S.cols}`);
  const T = S.rows;
  let top = 0;
  for (const v of S.data) {
    if (!Number.isFinite(v)) throw new OptionError('covariance', 'has NaN or infinite entries');
    top = Math.max(top, Math.abs(v));
  }
  for (let i = 0; i < T; i++) {
    for (let j = i + 1; j < T; j++) {
      if (Math.abs(S.data[i * T + j]! - S.data[j * T + i]!) > 1e-12 * top) throw new OptionError('covariance', `is not symmetric (entries (${i + 1},${j + 1}) and (${j + 1},${i + 1}) differ)`);
    }
  }
  try {
    return sqrtmPsd(S);
  } catch (e) {
    if (e instanceof PolytaskError) throw new OptionError('covariance', `is not positive semi-definite (${e.message})`);
    throw e;
  }
}

export function drawCovarianceWeights(rng: Random, r: Pick<Resolved, 'd' | 'T'>, root: Matrix): Matrix {
  const { d, T } = r;
  const W = Matrix.zeros(d, T);
  for (let j = 0; j < d; j++) {
    const z = rng.normals(T);
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let k = 0; k < T; k++) s += root.data[t * T + k]! * z[k]!;
      W.data[j * T + t] = s;
    }
  }
  return W;
}

export function makeCovarianceTasks(opts: CovarianceOptions): SyntheticProblem {
  if (!opts || !(opts.covariance instanceof Matrix)) throw new OptionError('covariance', 'is required (a T × T Matrix)');
  const root = covarianceRoot(opts.covariance);
  const r = resolveCommon({ ...opts, T: opts.covariance.rows });
  const rng = new Random(r.seed);
  const W = drawCovarianceWeights(rng, r, root);
  const intercepts = drawIntercepts(rng, r);
  const description = describe('covariance', r, {});
  return { dataset: samplePerTask(rng, W, intercepts, r, description), truth: { W, intercepts, covariance: opts.covariance.clone(), description } };
}

// DualProj (Quinton & Rey 2024, §5 / torchjd; the projection of GEM, Lopez-Paz & Ranzato 2017,
// eq. 10-11, applied to the mean gradient): project Gᵀp (p = 1/T) onto the dual cone {d : Gd ≥ 0}:
//     weights = p + argmin_{x ≥ 0} ½ xᵀKx + (Kp)ᵀx,
// one non-negative QP solved exactly (../solvers/nnqp.ts); K normalised by its trace and
// regularised by regEps·I as in UPGrad.
import { checkPref, gramianAggregator, type GramianStep } from '../core.ts';
import { makeNnqpSolver } from '../solvers/nnqp.ts';
import { checkEps, regularisedGramian, type DualConeOptions } from './upgrad.ts';

export function dualproj(opts: DualConeOptions = {}) {
  const normEps = opts.normEps ?? 1e-4;
  const regEps = opts.regEps ?? 1e-4;
  checkEps('dualproj', normEps, regEps);
  return gramianAggregator<null>({
    name: 'dualproj',
    paper: 'Quinton & Rey 2024 (DualProj): projection of the mean gradient onto the dual cone, as in GEM (Lopez-Paz & Ranzato 2017, eq. 10-11)',
    init: () => null,
    weights: (K): GramianStep<null> => {
      const T = K.rows;
      const p = checkPref('dualproj', opts.pref, T);
      const A = regularisedGramian(K, normEps, regEps);
      if (!A) return { weights: new Float64Array(T), state: null, info: { zeroGramian: 1 } };
      const q = new Float64Array(T);
      const start: number[] = [];
      for (let j = 0; j < T; j++) {
        let v = 0;
        for (let i = 0; i < T; i++) v += A[j * T + i]! * p[i]!;
        q[j] = v;
        if (v < 0) start.push(j);
      }
      const r = makeNnqpSolver(A, T)(q, start);
      const w = p.map((v, j) => v + r.x[j]!);
      return { weights: w, state: null, info: { iterations: r.iterations, converged: r.converged ? 1 : 0 } };
    },
  });
}

// Ridge Ω(W) = ρ‖W‖²_F; ∇Ω = 2ρW (Lipschitz 2ρ); prox_{sΩ}(V) = V / (1 + 2sρ).
import { Matrix } from '../../linalg/matrix.ts';
import { checkWeight, type Penalty, type SparseTaskMatrix, type TaskStructure } from './types.ts';

const diagonalOnly = (diag: Float64Array): SparseTaskMatrix => ({ diag, row: new Int32Array(0), col: new Int32Array(0), value: new Float64Array(0) });

export function ridgePenalty(rho: number): Penalty {
  checkWeight('ridge', rho);
  return {
    name: 'ridge',
    lipschitz: 2 * rho,
    value(W: Matrix): number {
      let s = 0;
      for (let i = 0; i < W.data.length; i++) s += W.data[i]! * W.data[i]!;
      return rho * s;
    },
    gradient(W: Matrix, G: Matrix): void {
      for (let i = 0; i < W.data.length; i++) G.data[i]! += 2 * rho * W.data[i]!;
    },
    taskMatrix(T: number): Matrix {
      return Matrix.diag(new Float64Array(T).fill(rho));
    },
    taskStructure(T: number): TaskStructure {
      return { diag: new Float64Array(T).fill(rho), offDiagonal: 0 };
    },
    sparseTaskMatrix: (T: number) => diagonalOnly(new Float64Array(T).fill(rho)),
    prox(V: Matrix, step: number): Matrix {
      const f = 1 / (1 + 2 * step * rho);
      return new Matrix(V.rows, V.cols, V.data.map((v) => v * f));
    },
  };
}

/** Per-task ridge Ω(W) = Σ_t λ_t ‖w_t‖² (independent ridge per task with its own weight). */
export function taskRidgePenalty(lambdas: ArrayLike<number>): Penalty {
  const lam = Float64Array.from(lambdas);
  lam.forEach((v, t) => checkWeight(`ridge (task ${t})`, v));
  const T = lam.length;
  const check = (W: Matrix): void => {
    if (W.cols !== T) throw new RangeError(`taskRidge: W has ${W.cols} columns, ${T} weights given`);
  };
  return {
    name: 'task-ridge',
    lipschitz: 2 * lam.reduce((a, b) => Math.max(a, b), 0),
    value(W: Matrix): number {
      check(W);
      let s = 0;
      for (let i = 0; i < W.data.length; i++) s += lam[i % T]! * W.data[i]! * W.data[i]!;
      return s;
    },
    gradient(W: Matrix, G: Matrix): void {
      check(W);
      for (let i = 0; i < W.data.length; i++) G.data[i]! += 2 * lam[i % T]! * W.data[i]!;
    },
    taskMatrix(Tm: number): Matrix {
      if (Tm !== T) throw new RangeError(`taskRidge: ${Tm} tasks, ${T} weights given`);
      return Matrix.diag(lam);
    },
    taskStructure(Tm: number): TaskStructure {
      if (Tm !== T) throw new RangeError(`taskRidge: ${Tm} tasks, ${T} weights given`);
      return { diag: Float64Array.from(lam), offDiagonal: 0 };
    },
    sparseTaskMatrix(Tm: number): SparseTaskMatrix {
      if (Tm !== T) throw new RangeError(`taskRidge: ${Tm} tasks, ${T} weights given`);
      return diagonalOnly(Float64Array.from(lam));
    },
  };
}

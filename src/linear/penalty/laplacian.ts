// Task-coupling quadratic penalties Ω(W) = λ Σ_(s,t) a_st ‖w_s − w_t‖² = λ tr(W L Wᵀ) with the
// weighted graph Laplacian L = Σ_(s,t) a_st (e_s − e_t)(e_s − e_t)ᵀ, so ∇Ω = 2λ W L.
// - chain: edges (t, t+1) with weight 1 over the task order (MALSAR SRMTL with the chain R;
//   the seed's "task-to-task parameter passing");
// - graph: a user-given weighted edge list; each listed edge counts once;
// - mean-regularised MTL (Evgeniou & Pontil, KDD 2004, eq. (2)–(4) up to the weighting):
//   λ Σ_t ‖w_t − w̄‖² = λ tr(W (I − 11ᵀ/T) Wᵀ), ∇Ω = 2λ (W − w̄1ᵀ).
import { Matrix } from '../../linalg/matrix.ts';
import { checkWeight, type Penalty, type SparseTaskMatrix, type TaskStructure } from './types.ts';

export interface TaskEdge {
  readonly s: number;
  readonly t: number;
  readonly weight: number;
}

export function chainEdges(T: number): TaskEdge[] {
  return Array.from({ length: Math.max(0, T - 1) }, (_, t) => ({ s: t, t: t + 1, weight: 1 }));
}

/** L = Σ a_st (e_s − e_t)(e_s − e_t)ᵀ (T × T). */
export function laplacianMatrix(edges: readonly TaskEdge[], T: number): Matrix {
  const L = Matrix.zeros(T, T);
  for (const e of edges) {
    L.data[e.s * T + e.s]! += e.weight;
    L.data[e.t * T + e.t]! += e.weight;
    L.data[e.s * T + e.t]! -= e.weight;
    L.data[e.t * T + e.s]! -= e.weight;
  }
  return L;
}

function columnDiffSq(W: Matrix, s: number, t: number): number {
  let v = 0;
  const T = W.cols;
  for (let j = 0; j < W.rows; j++) {
    const d = W.data[j * T + s]! - W.data[j * T + t]!;
    v += d * d;
  }
  return v;
}

export function graphPenalty(lambda: number, edges: readonly TaskEdge[], T: number, name = 'graph'): Penalty {
  checkWeight(name, lambda);
  for (const e of edges) {
    if (!(e.weight >= 0) || !Number.isFinite(e.weight)) throw new RangeError(`${name}: edge weight must be finite and ≥ 0, got ${e.weight}`);
    if (e.s < 0 || e.s >= T || e.t < 0 || e.t >= T || !Number.isInteger(e.s) || !Number.isInteger(e.t)) throw new RangeError(`${name}: edge (${e.s}, ${e.t}) outside 0..${T - 1}`);
  }
  // Gershgorin: λ_max(L) ≤ 2·max weighted degree.
  const deg = new Float64Array(T);
  for (const e of edges) {
    if (e.s === e.t) continue;
    deg[e.s]! += e.weight;
    deg[e.t]! += e.weight;
  }
  const maxDeg = deg.reduce((a, b) => Math.max(a, b), 0);
  return {
    name,
    lipschitz: 2 * lambda * 2 * maxDeg,
    value(W: Matrix): number {
      let v = 0;
      for (const e of edges) v += e.weight * columnDiffSq(W, e.s, e.t);
      return lambda * v;
    },
    gradient(W: Matrix, G: Matrix): void {
      const Tc = W.cols;
      for (const e of edges) {
        const f = 2 * lambda * e.weight;
        for (let j = 0; j < W.rows; j++) {
          const d = f * (W.data[j * Tc + e.s]! - W.data[j * Tc + e.t]!);
          G.data[j * Tc + e.s]! += d;
          G.data[j * Tc + e.t]! -= d;
        }
      }
    },
    taskMatrix(Tm: number): Matrix {
      const L = laplacianMatrix(edges, Tm);
      for (let i = 0; i < L.data.length; i++) L.data[i]! *= lambda;
      return L;
    },
    // λL without the T × T zeros: O(T + edges) (the chain at T = 10 000 was an 800 MB dense matrix).
    sparseTaskMatrix(Tm: number): SparseTaskMatrix {
      const diag = new Float64Array(Tm);
      const off = edges.filter((e) => e.s !== e.t);
      const row = new Int32Array(2 * off.length);
      const col = new Int32Array(2 * off.length);
      const value = new Float64Array(2 * off.length);
      off.forEach((e, k) => {
        diag[e.s]! += e.weight;
        diag[e.t]! += e.weight;
        row[2 * k] = e.s;
        col[2 * k] = e.t;
        row[2 * k + 1] = e.t;
        col[2 * k + 1] = e.s;
        value[2 * k] = value[2 * k + 1] = -e.weight * lambda;
      });
      for (let t = 0; t < Tm; t++) diag[t]! *= lambda;
      return { diag, row, col, value };
    },
  };
}

export function chainPenalty(lambda: number, T: number): Penalty {
  return graphPenalty(lambda, chainEdges(T), T, 'chain');
}

export function meanPenalty(lambda: number): Penalty {
  checkWeight('mean', lambda);
  const colMean = (W: Matrix): Float64Array => {
    const m = new Float64Array(W.rows);
    for (let j = 0; j < W.rows; j++) {
      let s = 0;
      for (let t = 0; t < W.cols; t++) s += W.data[j * W.cols + t]!;
      m[j] = s / W.cols;
    }
    return m;
  };
  return {
    name: 'mean',
    lipschitz: 2 * lambda,
    value(W: Matrix): number {
      const m = colMean(W);
      let v = 0;
      for (let j = 0; j < W.rows; j++) for (let t = 0; t < W.cols; t++) v += (W.data[j * W.cols + t]! - m[j]!) ** 2;
      return lambda * v;
    },
    gradient(W: Matrix, G: Matrix): void {
      const m = colMean(W);
      for (let j = 0; j < W.rows; j++) for (let t = 0; t < W.cols; t++) G.data[j * W.cols + t]! += 2 * lambda * (W.data[j * W.cols + t]! - m[j]!);
    },
    taskMatrix(T: number): Matrix {
      const M = Matrix.zeros(T, T);
      for (let s = 0; s < T; s++) for (let t = 0; t < T; t++) M.data[s * T + t] = lambda * ((s === t ? 1 : 0) - 1 / T);
      return M;
    },
    // λ(I − 11ᵀ/T): λ(1 − 1/T) on the diagonal, −λ/T off it.
    taskStructure(T: number): TaskStructure {
      return { diag: new Float64Array(T).fill(lambda * (1 - 1 / T)), offDiagonal: -lambda / T };
    },
  };
}

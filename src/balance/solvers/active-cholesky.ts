// The Cholesky factor of a principal submatrix A_SS of a fixed symmetric positive definite n × n
// matrix A, kept up to date while indices enter (one forward substitution, O(s²)) and leave (a
// rank-one update of the trailing block, O(s²); Golub & Van Loan §6.5.4) — the workhorse of the
// active-set solvers (Wolfe's min-norm point, Lawson–Hanson NNQP). Row-major, leading dimension n.

export class ActiveCholesky {
  readonly n: number;
  /** Indices of S in factor order. */
  readonly set: Int32Array;
  size = 0;
  readonly member: Uint8Array;
  private readonly A: Float64Array;
  private readonly L: Float64Array;
  private readonly x: Float64Array;
  private readonly floor: number;

  /** `A` must stay unchanged while this object is used. `floor` bounds pivots away from 0. */
  constructor(A: Float64Array, n: number, floor: number) {
    this.n = n;
    this.A = A;
    this.L = new Float64Array(n * n);
    this.set = new Int32Array(n);
    this.member = new Uint8Array(n);
    this.x = new Float64Array(n);
    this.floor = floor;
  }

  clear(): void {
    for (let p = 0; p < this.size; p++) this.member[this.set[p]!] = 0;
    this.size = 0;
  }

  /** Appends index j; returns the squared pivot A_jj − ‖L⁻¹A_Sj‖² before flooring. */
  add(j: number): number {
    const { n, A, L } = this;
    const s = this.size;
    const row = s * n;
    let ll = 0;
    for (let p = 0; p < s; p++) {
      let v = A[this.set[p]! * n + j]!;
      const rp = p * n;
      for (let k = 0; k < p; k++) v -= L[rp + k]! * L[row + k]!;
      v /= L[rp + p]!;
      L[row + p] = v;
      ll += v * v;
    }
    const d2 = A[j * n + j]! - ll;
    L[row + s] = Math.sqrt(Math.max(d2, this.floor));
    this.set[s] = j;
    this.member[j] = 1;
    this.size = s + 1;
    return d2;
  }

  /** Removes the index at factor position k. */
  removeAt(k: number): void {
    const { n, L, x } = this;
    const s = this.size;
    const m = s - k - 1;
    for (let i = 0; i < m; i++) x[i] = L[(k + 1 + i) * n + k]!;
    for (let r = k + 1; r < s; r++) {
      const src = r * n;
      const dst = (r - 1) * n;
      for (let c = 0; c < k; c++) L[dst + c] = L[src + c]!;
      for (let c = k + 1; c <= r; c++) L[dst + c - 1] = L[src + c]!;
    }
    for (let j = 0; j < m; j++) {
      const jj = (k + j) * n + (k + j);
      const ljj = L[jj]!;
      const r = Math.hypot(ljj, x[j]!);
      const c = r / ljj;
      const sn = x[j]! / ljj;
      L[jj] = r;
      for (let i = j + 1; i < m; i++) {
        const idx = (k + i) * n + (k + j);
        const v = (L[idx]! + sn * x[i]!) / c;
        L[idx] = v;
        x[i] = c * x[i]! - sn * v;
      }
    }
    this.member[this.set[k]!] = 0;
    for (let p = k; p < s - 1; p++) this.set[p] = this.set[p + 1]!;
    this.size = s - 1;
  }

  /** Solves A_SS z = b (b in factor order, length ≥ size), in place. */
  solve(b: Float64Array): Float64Array {
    const { n, L } = this;
    const s = this.size;
    for (let i = 0; i < s; i++) {
      let v = b[i]!;
      const ri = i * n;
      for (let k = 0; k < i; k++) v -= L[ri + k]! * b[k]!;
      b[i] = v / L[ri + i]!;
    }
    for (let i = s - 1; i >= 0; i--) {
      let v = b[i]!;
      for (let k = i + 1; k < s; k++) v -= L[k * n + i]! * b[k]!;
      b[i] = v / L[i * n + i]!;
    }
    return b;
  }
}

/** A copy of K with ρ added to the diagonal. */
export function withRidge(K: ArrayLike<number>, n: number, ridge: number): Float64Array {
  const A = Float64Array.from(K as ArrayLike<number>);
  for (let i = 0; i < n; i++) A[i * n + i]! += ridge;
  return A;
}

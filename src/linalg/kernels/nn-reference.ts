// The neural engine's element-wise kernels in plain TypeScript: the definition the native ones are
// tested against, and what the ts and wasm backends run (see NnKernels in ./types.ts). The formulas
// are those of src/nn/ops/elementwise.ts, nn.ts and conv.ts on branch nn, so the engine can switch
// to these kernels without changing a result.
import { ShapeError } from '../../errors.ts';
import type { FloatArray } from '../matrix.ts';
import type { Activation, NnKernels } from './types.ts';

const GELU_K0 = Math.sqrt(2 / Math.PI);
const GELU_K1 = 0.044715;

export const ACTIVATIONS: readonly Activation[] = ['identity', 'relu', 'leakyRelu', 'gelu', 'tanh', 'sigmoid'];

function need(op: string, name: string, a: FloatArray | null, len: number): void {
  if (a && a.length < len) throw new ShapeError(`${op}: ${name} has ${a.length} entries, needs ${len}`);
}

function dims(op: string, ds: Record<string, number>): void {
  // for…in, not Object.entries: this runs on every kernel call, and the entries arrays were ~3 % of
  // a 139-network training run (garbage)
  for (const k in ds) {
    const v = ds[k]!;
    if (!Number.isInteger(v) || v < 0) throw new ShapeError(`${op}: ${k} = ${v} is not a non-negative integer`);
  }
}

/** Shape checks shared by every backend (the native one checks before crossing into the addon). */
export function checkBiasAct(act: Activation, rows: number, n: number, x: FloatArray, bias: FloatArray | null, y: FloatArray, d: FloatArray | null): void {
  if (!ACTIVATIONS.includes(act)) throw new ShapeError(`biasAct: unknown activation "${act}" (${ACTIVATIONS.join(', ')})`);
  dims('biasAct', { rows, n });
  need('biasAct', 'x', x, rows * n);
  need('biasAct', 'bias', bias, n);
  need('biasAct', 'y', y, rows * n);
  need('biasAct', 'd', d, rows * n);
}

export function checkIm2col(N: number, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, x: FloatArray, cols: FloatArray): { Ho: number; Wo: number } {
  dims('im2col', { N, C, H, W, kh, kw, pad });
  if (!Number.isInteger(stride) || stride < 1) throw new ShapeError(`im2col: stride = ${stride} is not a positive integer`);
  const Ho = Math.floor((H + 2 * pad - kh) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - kw) / stride) + 1;
  if (Ho < 1 || Wo < 1 || kh < 1 || kw < 1) throw new ShapeError(`im2col: kernel ${kh}×${kw} does not fit input ${H}×${W} with padding ${pad}`);
  need('im2col', 'x', x, N * C * H * W);
  need('im2col', 'cols', cols, N * Ho * Wo * C * kh * kw);
  return { Ho, Wo };
}

function biasAct(act: Activation, rows: number, n: number, x: FloatArray, bias: FloatArray | null, slope: number, y: FloatArray, d: FloatArray | null): void {
  checkBiasAct(act, rows, n, x, bias, y, d);
  for (let r = 0; r < rows; r++) {
    const off = r * n;
    for (let j = 0; j < n; j++) {
      const v = x[off + j]! + (bias ? bias[j]! : 0);
      let out: number, der: number;
      switch (act) {
        case 'identity': out = v; der = 1; break;
        case 'relu': out = v > 0 ? v : 0; der = v > 0 ? 1 : 0; break;
        case 'leakyRelu': out = v > 0 ? v : slope * v; der = v > 0 ? 1 : slope; break;
        case 'gelu': {
          const t = Math.tanh(GELU_K0 * (v + GELU_K1 * v * v * v));
          out = 0.5 * v * (1 + t);
          der = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_K0 * (1 + 3 * GELU_K1 * v * v);
          break;
        }
        case 'tanh': out = Math.tanh(v); der = 1 - out * out; break;
        case 'sigmoid': out = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)); der = out * (1 - out); break;
      }
      y[off + j] = out;
      if (d) d[off + j] = der;
    }
  }
}

function softmaxRows(rows: number, n: number, x: FloatArray, y: FloatArray): void {
  dims('softmaxRows', { rows, n });
  need('softmaxRows', 'x', x, rows * n);
  need('softmaxRows', 'y', y, rows * n);
  for (let r = 0; r < rows; r++) {
    const off = r * n;
    let m = -Infinity;
    for (let j = 0; j < n; j++) if (x[off + j]! > m) m = x[off + j]!;
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(x[off + j]! - m);
      y[off + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < n; j++) y[off + j]! *= inv;
  }
}

function colSums(rows: number, n: number, x: FloatArray, beta: number, out: FloatArray): void {
  dims('colSums', { rows, n });
  need('colSums', 'x', x, rows * n);
  need('colSums', 'out', out, n);
  for (let j = 0; j < n; j++) out[j] = beta === 0 ? 0 : beta * out[j]!;
  for (let r = 0; r < rows; r++) {
    const off = r * n;
    for (let j = 0; j < n; j++) out[j]! += x[off + j]!;
  }
}

function im2col(N: number, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, x: FloatArray, cols: FloatArray): void {
  const { Ho, Wo } = checkIm2col(N, C, H, W, kh, kw, stride, pad, x, cols);
  const P = Ho * Wo, K = C * kh * kw;
  for (let b = 0; b < N; b++) {
    for (let ho = 0; ho < Ho; ho++) {
      for (let wo = 0; wo < Wo; wo++) {
        const r = (b * P + ho * Wo + wo) * K;
        for (let c = 0; c < C; c++) {
          for (let i = 0; i < kh; i++) {
            const hi = ho * stride + i - pad;
            const base = r + (c * kh + i) * kw;
            if (hi < 0 || hi >= H) {
              for (let j = 0; j < kw; j++) cols[base + j] = 0;
              continue;
            }
            const xrow = ((b * C + c) * H + hi) * W;
            for (let j = 0; j < kw; j++) {
              const wi = wo * stride + j - pad;
              cols[base + j] = wi < 0 || wi >= W ? 0 : x[xrow + wi]!;
            }
          }
        }
      }
    }
  }
}

function col2im(N: number, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, cols: FloatArray, x: FloatArray): void {
  const { Ho, Wo } = checkIm2col(N, C, H, W, kh, kw, stride, pad, x, cols);
  const P = Ho * Wo, K = C * kh * kw;
  for (let b = 0; b < N; b++) {
    for (let ho = 0; ho < Ho; ho++) {
      for (let wo = 0; wo < Wo; wo++) {
        const r = (b * P + ho * Wo + wo) * K;
        for (let c = 0; c < C; c++) {
          for (let i = 0; i < kh; i++) {
            const hi = ho * stride + i - pad;
            if (hi < 0 || hi >= H) continue;
            const base = r + (c * kh + i) * kw, xrow = ((b * C + c) * H + hi) * W;
            for (let j = 0; j < kw; j++) {
              const wi = wo * stride + j - pad;
              if (wi >= 0 && wi < W) x[xrow + wi]! += cols[base + j]!;
            }
          }
        }
      }
    }
  }
}

function biasActGrad(rows: number, n: number, go: FloatArray, d: FloatArray | null, gx: FloatArray | null, gb: FloatArray | null): void {
  checkBiasActGrad(rows, n, go, d, gx, gb);
  for (let r = 0; r < rows; r++) {
    const off = r * n;
    for (let j = 0; j < n; j++) {
      const t = d ? go[off + j]! * d[off + j]! : go[off + j]!;
      if (gx) gx[off + j]! += t;
      if (gb) gb[j]! += t;
    }
  }
}

function mulAcc(n: number, a: FloatArray, b: FloatArray | null, out: FloatArray): void {
  checkMulAcc(n, a, b, out);
  if (b) for (let i = 0; i < n; i++) out[i]! += a[i]! * b[i]!;
  else for (let i = 0; i < n; i++) out[i]! += a[i]!;
}

function bmm(transA: boolean, transB: boolean, batch: number, m: number, n: number, k: number,
  a: FloatArray, strideA: number, lda: number, b: FloatArray, strideB: number, ldb: number,
  beta: number, c: FloatArray, strideC: number, ldc: number): void {
  checkBmm(transA, transB, batch, m, n, k, a, strideA, lda, b, strideB, ldb, c, strideC, ldc);
  for (let i = 0; i < batch; i++) {
    const ao = i * strideA, bo = i * strideB, co = i * strideC;
    for (let r = 0; r < m; r++) {
      const cr = co + r * ldc;
      if (beta === 0) for (let j = 0; j < n; j++) c[cr + j] = 0;
      else if (beta !== 1) for (let j = 0; j < n; j++) c[cr + j]! *= beta;
      if (!transB) {
        // c row += Σ_p op(A)[r, p] · B row p (contiguous inner loop)
        for (let p = 0; p < k; p++) {
          const av = transA ? a[ao + p * lda + r]! : a[ao + r * lda + p]!;
          const br = bo + p * ldb;
          for (let j = 0; j < n; j++) c[cr + j]! += av * b[br + j]!;
        }
      } else {
        for (let j = 0; j < n; j++) {
          const br = bo + j * ldb;
          let s = 0;
          if (transA) for (let p = 0; p < k; p++) s += a[ao + p * lda + r]! * b[br + p]!;
          else for (let p = 0; p < k; p++) s += a[ao + r * lda + p]! * b[br + p]!;
          c[cr + j]! += s;
        }
      }
    }
  }
}

function adam(n: number, g: FloatArray, m: FloatArray, v: FloatArray, b1: number, b2: number, bc1: number, sbc2: number, eps: number): void {
  checkAdam(n, g, m, v);
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    g[i] = mi / bc1 / (Math.sqrt(vi) / sbc2 + eps);
  }
}

export function checkAdam(n: number, g: FloatArray, m: FloatArray, v: FloatArray): void {
  dims('adam', { n });
  need('adam', 'g', g, n);
  need('adam', 'm', m, n);
  need('adam', 'v', v, n);
}

export function checkBiasActGrad(rows: number, n: number, go: FloatArray, d: FloatArray | null, gx: FloatArray | null, gb: FloatArray | null): void {
  dims('biasActGrad', { rows, n });
  need('biasActGrad', 'go', go, rows * n);
  need('biasActGrad', 'd', d, rows * n);
  need('biasActGrad', 'gx', gx, rows * n);
  need('biasActGrad', 'gb', gb, n);
}

export function checkMulAcc(n: number, a: FloatArray, b: FloatArray | null, out: FloatArray): void {
  dims('mulAcc', { n });
  need('mulAcc', 'a', a, n);
  need('mulAcc', 'b', b, n);
  need('mulAcc', 'out', out, n);
}

function bspan(batch: number, stride: number, rows: number, cols: number, ld: number): number {
  return batch === 0 || rows === 0 || cols === 0 ? 0 : (batch - 1) * stride + (rows - 1) * ld + cols;
}

/** Shape checks of bmm shared by every backend: dimensions, leading dimensions, array lengths. */
export function checkBmm(transA: boolean, transB: boolean, batch: number, m: number, n: number, k: number,
  a: FloatArray, strideA: number, lda: number, b: FloatArray, strideB: number, ldb: number,
  c: FloatArray, strideC: number, ldc: number): void {
  dims('bmm', { batch, m, n, k, strideA, lda, strideB, ldb, strideC, ldc });
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  if (ac > 0 && ar > 0 && lda < ac) throw new ShapeError(`bmm: lda = ${lda} is smaller than A's ${ac} columns`);
  if (bc > 0 && br > 0 && ldb < bc) throw new ShapeError(`bmm: ldb = ${ldb} is smaller than B's ${bc} columns`);
  if (n > 0 && m > 0 && ldc < n) throw new ShapeError(`bmm: ldc = ${ldc} is smaller than C's ${n} columns`);
  need('bmm', 'a', a, bspan(batch, strideA, ar, ac, lda));
  need('bmm', 'b', b, bspan(batch, strideB, br, bc, ldb));
  need('bmm', 'c', c, bspan(batch, strideC, m, n, ldc));
}

/** Shape checks of conv2d / conv2dGrad shared by every backend; returns the output geometry. */
export function checkConv(op: string, N: number, C: number, H: number, W: number, O: number, kh: number, kw: number, stride: number, pad: number,
  arrays: Record<string, [FloatArray | null, 'x' | 'w' | 'b' | 'cols' | 'y' | 'dcols']>): { Ho: number; Wo: number; P: number; K: number } {
  dims(op, { N, C, H, W, O, kh, kw, pad });
  if (!Number.isInteger(stride) || stride < 1) throw new ShapeError(`${op}: stride = ${stride} is not a positive integer`);
  const Ho = Math.floor((H + 2 * pad - kh) / stride) + 1;
  const Wo = Math.floor((W + 2 * pad - kw) / stride) + 1;
  if (Ho < 1 || Wo < 1 || kh < 1 || kw < 1) throw new ShapeError(`${op}: kernel ${kh}×${kw} does not fit input ${H}×${W} with padding ${pad}`);
  const P = Ho * Wo, K = C * kh * kw;
  const len = { x: N * C * H * W, w: O * K, b: O, cols: N * K * P, y: N * O * P, dcols: K * P };
  for (const [name, [a, kind]] of Object.entries(arrays)) need(op, name, a, len[kind]);
  return { Ho, Wo, P, K };
}

/** An example's column matrix (K rows of leading dimension ld) at cols[off…], from x[xo…]: see NnKernels.conv2d. */
function im2colKP(C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, Ho: number, Wo: number,
  x: FloatArray, xo: number, cols: FloatArray, off: number, ld: number): void {
  for (let c = 0; c < C; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    const row = off + ((c * kh + i) * kw + j) * ld;
    for (let ho = 0; ho < Ho; ho++) {
      const hi = ho * stride + i - pad, d = row + ho * Wo;
      if (hi < 0 || hi >= H) { for (let wo = 0; wo < Wo; wo++) cols[d + wo] = 0; continue; }
      const xr = xo + (c * H + hi) * W;
      for (let wo = 0; wo < Wo; wo++) {
        const wi = wo * stride + j - pad;
        cols[d + wo] = wi < 0 || wi >= W ? 0 : x[xr + wi]!;
      }
    }
  }
}

/** x[xo…] += the scatter-add of a column matrix (K rows of leading dimension ld) at cols[off…] (the adjoint of im2colKP). */
function col2imKP(C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, Ho: number, Wo: number,
  cols: FloatArray, off: number, ld: number, x: FloatArray, xo: number): void {
  for (let c = 0; c < C; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    const row = off + ((c * kh + i) * kw + j) * ld;
    for (let ho = 0; ho < Ho; ho++) {
      const hi = ho * stride + i - pad;
      if (hi < 0 || hi >= H) continue;
      const s = row + ho * Wo, xr = xo + (c * H + hi) * W;
      for (let wo = 0; wo < Wo; wo++) {
        const wi = wo * stride + j - pad;
        if (wi >= 0 && wi < W) x[xr + wi]! += cols[s + wo]!;
      }
    }
  }
}

function conv2d(N: number, C: number, H: number, W: number, O: number, kh: number, kw: number, stride: number, pad: number,
  x: FloatArray, w: FloatArray, b: FloatArray | null, cols: FloatArray, y: FloatArray): void {
  const { Ho, Wo, P, K } = checkConv('conv2d', N, C, H, W, O, kh, kw, stride, pad, { x: [x, 'x'], w: [w, 'w'], b: [b, 'b'], cols: [cols, 'cols'], y: [y, 'y'] });
  for (let n = 0; n < N; n++) {
    const co = n * K * P;
    im2colKP(C, H, W, kh, kw, stride, pad, Ho, Wo, x, n * C * H * W, cols, co, P);
    for (let o = 0; o < O; o++) {
      // y_n[o, :] = b[o] + Σ_k W[o, k]·cols_n[k, :]: rows of cols_n streamed (contiguous inner loop)
      const yo = (n * O + o) * P, bv = b ? b[o]! : 0;
      for (let p = 0; p < P; p++) y[yo + p] = bv;
      for (let k = 0; k < K; k++) {
        const wv = w[o * K + k]!, cr = co + k * P;
        for (let p = 0; p < P; p++) y[yo + p]! += wv * cols[cr + p]!;
      }
    }
  }
}

function conv2dGrad(N: number, C: number, H: number, W: number, O: number, kh: number, kw: number, stride: number, pad: number,
  cols: FloatArray, w: FloatArray, go: FloatArray, gw: FloatArray | null, gb: FloatArray | null, gx: FloatArray | null, dcols: FloatArray | null): void {
  const { Ho, Wo, P, K } = checkConv('conv2dGrad', N, C, H, W, O, kh, kw, stride, pad,
    { cols: [cols, 'cols'], w: [w, 'w'], go: [go, 'y'], gw: [gw, 'w'], gb: [gb, 'b'], gx: [gx, 'x'], dcols: [dcols, 'dcols'] });
  if (gx && !dcols) throw new ShapeError('conv2dGrad: gx needs the dcols scratch');
  for (let n = 0; n < N; n++) {
    const co = n * K * P, go0 = n * O * P;
    for (let o = 0; o < O; o++) {
      const r = go0 + o * P;
      if (gb) { let s = 0; for (let p = 0; p < P; p++) s += go[r + p]!; gb[o]! += s; }
      if (gw) {
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let p = 0; p < P; p++) s += go[r + p]! * cols[co + k * P + p]!;
          gw[o * K + k]! += s;
        }
      }
    }
    if (gx && dcols) {
      dcols.fill(0, 0, K * P);
      for (let k = 0; k < K; k++) {
        for (let o = 0; o < O; o++) {
          const wv = w[o * K + k]!, r = go0 + o * P, d = k * P;
          for (let p = 0; p < P; p++) dcols[d + p]! += wv * go[r + p]!;
        }
      }
      col2imKP(C, H, W, kh, kw, stride, pad, Ho, Wo, dcols, 0, P, gx, n * C * H * W);
    }
  }
}

/** C = alpha·op(A)·op(B) + beta·C of one precision (a backend's sgemm or dgemm, chosen by the arrays). */
export type GemmFn = (transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: FloatArray, lda: number, b: FloatArray, ldb: number, beta: number, c: FloatArray, ldc: number) => void;

/**
 * conv2d / conv2dGrad on a backend's GEMM (the ts and wasm backends: their GEMM is much faster than
 * the loops above), per example on the same K × P column matrices: y_n = W·cols_n + b,
 * dW += dY_n·cols_nᵀ, dcols = Wᵀ·dY_n then col2im. Same results as the loops up to summation order.
 */
export function convWithGemm(gemm: GemmFn): Pick<NnKernels, 'conv2d' | 'conv2dGrad'> {
  return {
    conv2d(N, C, H, W, O, kh, kw, stride, pad, x, w, b, cols, y) {
      const { Ho, Wo, P, K } = checkConv('conv2d', N, C, H, W, O, kh, kw, stride, pad, { x: [x, 'x'], w: [w, 'w'], b: [b, 'b'], cols: [cols, 'cols'], y: [y, 'y'] });
      for (let n = 0; n < N; n++) {
        const cn = cols.subarray(n * K * P, (n + 1) * K * P), yn = y.subarray(n * O * P, (n + 1) * O * P);
        im2colKP(C, H, W, kh, kw, stride, pad, Ho, Wo, x, n * C * H * W, cols, n * K * P, P);
        gemm(false, false, O, P, K, 1, w, K, cn, P, 0, yn, P);
        if (b) for (let o = 0; o < O; o++) { const bv = b[o]!; for (let p = 0; p < P; p++) yn[o * P + p]! += bv; }
      }
    },
    conv2dGrad(N, C, H, W, O, kh, kw, stride, pad, cols, w, go, gw, gb, gx, dcols) {
      const { Ho, Wo, P, K } = checkConv('conv2dGrad', N, C, H, W, O, kh, kw, stride, pad,
        { cols: [cols, 'cols'], w: [w, 'w'], go: [go, 'y'], gw: [gw, 'w'], gb: [gb, 'b'], gx: [gx, 'x'], dcols: [dcols, 'dcols'] });
      if (gx && !dcols) throw new ShapeError('conv2dGrad: gx needs the dcols scratch');
      for (let n = 0; n < N; n++) {
        const gn = go.subarray(n * O * P, (n + 1) * O * P), cn = cols.subarray(n * K * P, (n + 1) * K * P);
        if (gb) for (let o = 0; o < O; o++) { let s = 0; for (let p = 0; p < P; p++) s += gn[o * P + p]!; gb[o]! += s; }
        if (gw) gemm(false, true, O, K, P, 1, gn, P, cn, P, 1, gw, K);
        if (gx && dcols) {
          gemm(true, false, K, P, O, 1, w, K, gn, P, 0, dcols, P);
          col2imKP(C, H, W, kh, kw, stride, pad, Ho, Wo, dcols, 0, P, gx, n * C * H * W);
        }
      }
    },
  };
}

export function checkMaxPool(NC: number, H: number, W: number, k: number, stride: number, x: FloatArray, y: FloatArray, arg: Int32Array): number {
  dims('maxPool', { NC, H, W });
  if (!(Number.isInteger(k) && k >= 1 && Number.isInteger(stride) && stride >= 1)) throw new ShapeError(`maxPool: kernel and stride must be positive integers (got ${k}, ${stride})`);
  if (H < k || W < k) throw new ShapeError(`maxPool: window ${k} does not fit input ${H}×${W}`);
  const n = NC * (Math.floor((H - k) / stride) + 1) * (Math.floor((W - k) / stride) + 1);
  need('maxPool', 'x', x, NC * H * W);
  need('maxPool', 'y', y, n);
  if (arg.length < n) throw new ShapeError(`maxPool: arg has ${arg.length} entries, needs ${n}`);
  return n;
}

function maxPool(NC: number, H: number, W: number, k: number, stride: number, x: FloatArray, y: FloatArray, arg: Int32Array): void {
  checkMaxPool(NC, H, W, k, stride, x, y, arg);
  const Ho = Math.floor((H - k) / stride) + 1, Wo = Math.floor((W - k) / stride) + 1;
  let q = 0;
  for (let nc = 0; nc < NC; nc++) {
    const base = nc * H * W;
    for (let ho = 0; ho < Ho; ho++) {
      for (let wo = 0; wo < Wo; wo++) {
        let bi = base + ho * stride * W + wo * stride, best = x[bi]!;
        for (let i = 0; i < k; i++) {
          const row = base + (ho * stride + i) * W + wo * stride;
          for (let j = 0; j < k; j++) if (x[row + j]! > best) { best = x[row + j]!; bi = row + j; }
        }
        y[q] = x[bi]!;
        arg[q++] = bi;
      }
    }
  }
}

export function checkMaxPoolGrad(n: number, arg: Int32Array, go: FloatArray, gx: FloatArray): void {
  dims('maxPoolGrad', { n });
  if (arg.length < n) throw new ShapeError(`maxPoolGrad: arg has ${arg.length} entries, needs ${n}`);
  need('maxPoolGrad', 'go', go, n);
}

function maxPoolGrad(n: number, arg: Int32Array, go: FloatArray, gx: FloatArray): void {
  checkMaxPoolGrad(n, arg, go, gx);
  const m = gx.length;
  for (let i = 0; i < n; i++) {
    const j = arg[i]!;
    if (!(j >= 0 && j < m)) throw new ShapeError(`maxPoolGrad: index ${j} is outside gx (${m} entries)`);
    gx[j]! += go[i]!;
  }
}

export const referenceNn: NnKernels = { biasAct, softmaxRows, colSums, im2col, col2im, conv2d, conv2dGrad, maxPool, maxPoolGrad, biasActGrad, mulAcc, adam, bmm };

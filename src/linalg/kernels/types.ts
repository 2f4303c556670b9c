// The kernel interface every backend implements (plain TypeScript reference, WebAssembly SIMD,
// later a native addon). BLAS-like: row-major storage, explicit leading dimensions, so that
// sub-matrices and transposed operands need no copies. Both precisions share one signature shape
// so the float64 convex solvers and the float32 training code call the same kernels.

import type { FloatArray } from '../matrix.ts';

export type BackendName = 'ts' | 'wasm' | 'native';

/** Activations of NnKernels.biasAct, with the neural engine's definitions (src/nn/ops/elementwise.ts). */
export type Activation = 'identity' | 'relu' | 'leakyRelu' | 'gelu' | 'tanh' | 'sigmoid';

/**
 * The neural engine's per-op kernels, so that a training step crosses into native code once per op,
 * not per element (issue 14). Row-major, contiguous; every array of one call has the same precision
 * (all Float32Array or all Float64Array). Outputs may be the same array as the input (in place), but
 * must not partially overlap it. Added after the neural engine was written: backward compatible
 * (an addition to Kernels), implemented by every backend (ts and wasm share the TypeScript version).
 */
export interface NnKernels {
  /**
   * y = act(x + bias) over rows×n, bias of length n broadcast over rows (or null: no bias); when `d`
   * is given, also d = act'(x + bias) (what the engine's backward pass multiplies by). `slope` is
   * leakyRelu's negative slope (ignored otherwise). gelu is the tanh approximation
   * (Hendrycks & Gimpel 2016, §2; PyTorch approximate='tanh'); sigmoid is evaluated stably in both tails.
   */
  biasAct(act: Activation, rows: number, n: number, x: FloatArray, bias: FloatArray | null, slope: number, y: FloatArray, d: FloatArray | null): void;
  /** Softmax over the last axis of rows×n (max subtracted first). */
  softmaxRows(rows: number, n: number, x: FloatArray, y: FloatArray): void;
  /** out[j] = beta·out[j] + Σᵢ x[i·n + j] over rows×n (the gradient of a broadcast bias); beta = 0 ignores out. */
  colSums(rows: number, n: number, x: FloatArray, beta: number, out: FloatArray): void;
  /**
   * im2col for x [N, C, H, W] (NCHW): cols [N·Ho·Wo, C·kh·kw], one row per output position, zero
   * padding, Ho = ⌊(H + 2·pad − kh)/stride⌋ + 1 (the layout of src/nn/ops/conv.ts).
   */
  im2col(N: number, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, x: FloatArray, cols: FloatArray): void;
  /**
   * The adjoint of im2col (conv2d's input gradient): x [N, C, H, W] += the scatter-add of cols
   * [N·Ho·Wo, C·kh·kw] (same layout and geometry as im2col; padding positions are dropped).
   */
  col2im(N: number, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, cols: FloatArray, x: FloatArray): void;
  /**
   * The backward of biasAct: with t = go ⊙ d (d null: t = go), gx += t (gx may be null) and
   * gb += Σ_rows t (gb of length n, may be null); all rows×n except gb. One pass over go.
   */
  biasActGrad(rows: number, n: number, go: FloatArray, d: FloatArray | null, gx: FloatArray | null, gb: FloatArray | null): void;
  /** out[i] += a[i]·b[i] (b null: out[i] += a[i]) for i < n: the element-wise backward of unary ops. */
  mulAcc(n: number, a: FloatArray, b: FloatArray | null, out: FloatArray): void;
  /**
   * Strided batched GEMM (torch.bmm): for i < batch, C_i = op(A_i)·op(B_i) + beta·C_i with
   * A_i = a[i·strideA …] (leading dimension lda; op(A_i) is m×k, Aᵀ stored k×m when transA),
   * B_i = b[i·strideB …] (op(B_i) k×n), C_i = c[i·strideC …] (m×n, ldc). beta = 0 overwrites C
   * (NaN ignored). The many small products of mixture-of-experts gates: one call, not one per example.
   * The C_i must not overlap each other or any A_i / B_i.
   */
  /**
   * One Adam moment update in place (Kingma & Ba 2015, Alg. 1, PyTorch's ε placement), for i < n:
   * m ← b1·m + (1−b1)·g, v ← b2·v + (1−b2)·g², g ← (m / bc1) / (√v / sbc2 + eps), where
   * bc1 = 1 − b1^t and sbc2 = √(1 − b2^t). Computed in double, stored in the arrays' precision.
   */
  adam(n: number, g: FloatArray, m: FloatArray, v: FloatArray, b1: number, b2: number, bc1: number, sbc2: number, eps: number): void;
  /**
   * conv2d (cross-correlation, as PyTorch) of x [N, C, H, W] with w [O, C, kh, kw] and bias b [O]
   * (or null), zero padding `pad`, into y [N, O, Ho, Wo] (overwritten). `cols` (N·K·P, K = C·kh·kw,
   * P = Ho·Wo) receives each example's column matrix cols_n, K × P, kept for conv2dGrad: row
   * (c·kh + i)·kw + j holds tap (i, j) of channel c at every output position; y_n = W·cols_n + b is
   * then example n's NCHW block as it stands (no transposes).
   */
  conv2d(N: number, C: number, H: number, W: number, O: number, kh: number, kw: number, stride: number, pad: number,
    x: FloatArray, w: FloatArray, b: FloatArray | null, cols: FloatArray, y: FloatArray): void;
  /**
   * The gradients of conv2d from go [N, O, Ho, Wo] and the forward's cols: gw [O, K] += Σ_n go_n·cols_nᵀ,
   * gb [O] += Σ go over examples and positions, gx [N, C, H, W] += col2im(Wᵀ·go_n) (each may be null;
   * `dcols`, K·P, is scratch, needed when gx is given).
   */
  conv2dGrad(N: number, C: number, H: number, W: number, O: number, kh: number, kw: number, stride: number, pad: number,
    cols: FloatArray, w: FloatArray, go: FloatArray, gw: FloatArray | null, gb: FloatArray | null, gx: FloatArray | null, dcols: FloatArray | null): void;
  /**
   * Max pooling of NC planes H × W over k × k windows with `stride`, no padding: y (NC·Ho·Wo) and
   * arg, the flat index into x of each window's first maximum (row-major window order).
   */
  maxPool(NC: number, H: number, W: number, k: number, stride: number, x: FloatArray, y: FloatArray, arg: Int32Array): void;
  /** gx[arg[i]] += go[i] for i < n (max pooling's gradient); every arg[i] must lie in [0, gx.length). */
  maxPoolGrad(n: number, arg: Int32Array, go: FloatArray, gx: FloatArray): void;
  bmm(transA: boolean, transB: boolean, batch: number, m: number, n: number, k: number,
    a: FloatArray, strideA: number, lda: number, b: FloatArray, strideB: number, ldb: number,
    beta: number, c: FloatArray, strideC: number, ldc: number): void;
}

export interface Kernels {
  readonly name: BackendName;
  /**
   * C = alpha·op(A)·op(B) + beta·C, C is m×n, op(A) is m×k, op(B) is k×n.
   * op(A) = A (m×k, leading dimension lda) or Aᵀ when transA (A stored k×m).
   * beta = 0 means C is overwritten (its old contents, even NaN, are ignored), as in BLAS.
   */
  dgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number): void;
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): void;
  /** y = alpha·op(A)·x + beta·y with A stored m×n (leading dimension lda); op(A) = Aᵀ when trans. */
  dgemv(trans: boolean, m: number, n: number, alpha: number, a: Float64Array, lda: number,
    x: Float64Array, beta: number, y: Float64Array): void;
  sgemv(trans: boolean, m: number, n: number, alpha: number, a: Float32Array, lda: number,
    x: Float32Array, beta: number, y: Float32Array): void;
  /** C (d×d, both triangles filled) = alpha·XᵀX + beta·C for X stored n×d (leading dimension ldx). */
  dgram(n: number, d: number, alpha: number, x: Float64Array, ldx: number, beta: number, c: Float64Array, ldc: number): void;
  sgram(n: number, d: number, alpha: number, x: Float32Array, ldx: number, beta: number, c: Float32Array, ldc: number): void;
  /**
   * Batched symmetric matrix-vector products (issue 15, many tasks): for t < count,
   * y_t = alpha·A_t·x_t + beta·y_t with A_t = a[t·d², (t+1)·d²) a symmetric d×d row-major block
   * (e.g. a task's Gram block), x_t = x[t·d, (t+1)·d), y_t likewise. One call for all T tasks.
   * Optional so that backends written before it still satisfy the interface: call it through
   * `dsymvBatched` of src/linalg/batched.ts, which falls back to the reference.
   */
  dsymvBatched?(count: number, d: number, alpha: number, a: Float64Array, x: Float64Array, beta: number, y: Float64Array): void;
  /**
   * Batched GEMV over row-stacked blocks: block t is rows offsets[t] … offsets[t+1]−1 of a (n columns,
   * row-major, contiguous; offsets has count + 1 entries, offsets[0] = 0 for a whole array).
   *   trans = false: y[offsets[t] … offsets[t+1]) = alpha·A_t·x_t + beta·(same), x_t = x[t·n, (t+1)·n);
   *   trans = true:  y_t = alpha·A_tᵀ·x[offsets[t] … offsets[t+1]) + beta·y_t, y_t = y[t·n, (t+1)·n).
   * beta = 0 overwrites y (NaN in it is ignored). Optional, as dsymvBatched.
   */
  dgemvBatched?(trans: boolean, count: number, offsets: Int32Array, n: number, alpha: number, a: Float64Array,
    x: Float64Array, beta: number, y: Float64Array): void;
  /**
   * Least-squares residuals and gradients of row-stacked blocks in one pass over each block: for
   * t < count, r_t = A_t·x_t − y_t (rows offsets[t] … of r and y) and g_t = A_tᵀ·r_t (g[t·n, (t+1)·n)),
   * A_t as in dgemvBatched. The squared loss's data path; reading each block once instead of twice
   * is what makes it memory-efficient at T = 10 000. Optional, as dsymvBatched.
   */
  dresidualGradBatched?(count: number, offsets: Int32Array, n: number, a: Float64Array, x: Float64Array, y: Float64Array,
    r: Float64Array, g: Float64Array): void;
  /**
   * The squared loss's value and gradient for many small tasks in one call (issue 15): block k is
   * rows offsets[k] … offsets[k+1]−1 of a (n columns, as in dgemvBatched); its weights are column
   * cols[k] of w and its gradient goes to column cols[k] of g, both stored n × ldw row-major (the
   * solvers' d × T matrices, so no transposes around the call):
   *   r = A_k·w_{:,cols[k]} − y_k,   g_{:,cols[k]} = c[k]·A_kᵀ·r,   f[k] = ½·c[k]·‖r‖².
   * cols must be distinct and in [0, ldw); other columns of g are left as they are. Each block is
   * read once; the native backend splits large calls over its threads. Optional, as dsymvBatched.
   */
  dsqGradBatched?(count: number, offsets: Int32Array, n: number, a: Float64Array, cols: Int32Array, w: Float64Array, ldw: number,
    y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): void;
  /**
   * The many-small-task FISTA's first pass (src/linear/solver/fista-rows.ts `passA`, its reference): over
   * the d × T row-major arrays, with beta ≠ 0 y = x + β(x − xPrev) and g = gx + β(gx − gPrev) are written
   * and sums = [⟨gx, x − xPrev⟩, ⟨x − xPrev, gx − gPrev⟩]; then xn = prox(y − step·g) (rows: each row
   * scaled by max(0, 1 − tau/‖row‖); else entrywise soft-thresholding at tau); returns Σ_j ‖xn_j‖ (rows)
   * or Σ|xn| — every sum in index order, no FMA. Outputs must not overlap inputs. Optional (native).
   */
  fistaRowsStep?(rows: boolean, d: number, T: number, beta: number, x: Float64Array, xPrev: Float64Array, gx: Float64Array, gPrev: Float64Array,
    y: Float64Array, g: Float64Array, xn: Float64Array, step: number, tau: number, sums: Float64Array): number;
  /** Its check pass (`passC`): out = [‖xn − y‖², ⟨gy, xn − y⟩, ⟨gn − gy, xn − y⟩, ‖gn − gy + L(y − xn)‖², ⟨y − xn, xn − x⟩]; returns xn finite. */
  fistaRowsCheck?(len: number, xn: Float64Array, y: Float64Array, gy: Float64Array, gn: Float64Array, x: Float64Array, L: number, out: Float64Array): boolean;
  /**
   * fistaRowsStep's rows penalty on T × d arrays (task t's d weights at t·d; issue 15, task-major FISTA):
   * the same y, g, sums and x⁺ = each row j (feature j over all tasks) scaled by max(0, 1 − tau/‖row‖),
   * returns Σ_j ‖x⁺_j‖. Row sums in task order (equal to fistaRowsStep's term for term on one thread);
   * ⟨gx, Δ⟩, ⟨Δ, gx − gPrev⟩ in task-major index order. Reference: fista-rows.ts `passATasks`. Optional (native).
   */
  fistaRowsStepTasks?(d: number, T: number, beta: number, x: Float64Array, xPrev: Float64Array, gx: Float64Array, gPrev: Float64Array,
    y: Float64Array, g: Float64Array, xn: Float64Array, step: number, tau: number, sums: Float64Array): number;
  /**
   * dsqGradBatched with w and g count × n row-major (task t's weights and gradient contiguous at t·n, no
   * columns to gather): r = A_t·w_t − y_t, g_t = c[t]·A_tᵀ·r, f[t] = ½·c[t]·‖r‖². Optional (native, ts).
   */
  dsqGradTasks?(count: number, offsets: Int32Array, n: number, a: Float64Array, w: Float64Array, y: Float64Array, c: Float64Array, g: Float64Array, f: Float64Array): void;
  /**
   * One attempt of the task-major l21 FISTA step fused with the squared loss (issue 15: the iteration streams
   * the data once): per task t (arrays count × n, task t at t·n), z = w + β(w − wp), gz = g + β(g − gp),
   * wn = fac ∘ (z − step·gz) (0 where fac_j = 0), r = A_t·wn_t − y_t, gn_t = c[t]·A_tᵀr, f[t] = ½·c[t]·‖r‖²;
   * sums = [Σ_t f[t], ⟨g, w − wp⟩, ⟨w − wp, g − gp⟩, ‖wn − z‖², ⟨gz, wn − z⟩, ⟨gn − gz, wn − z⟩,
   * ‖gn − gz + L(z − wn)‖², ⟨z − wn, wn − w⟩]; rows (5·n) = per feature Σ_t wn², then Σ_t v² of the next
   * attempt's gradient step for the four candidates (β', s') of spec = [β', s₁, s₂] (see the reference);
   * with β = 0, wp and gp are not read (taken as w and g: sums[1] = sums[2] = 0);
   * returns wn finite. Reference: reference.ts fistaFusedTasks (its summation order); outputs must not overlap
   * inputs. Optional (native, ts).
   */
  fistaFusedTasks?(count: number, offsets: Int32Array, n: number, a: Float64Array, y: Float64Array, c: Float64Array,
    beta: number, step: number, L: number, fac: Float64Array, spec: Float64Array, w: Float64Array, wp: Float64Array, g: Float64Array, gp: Float64Array,
    wn: Float64Array, gn: Float64Array, f: Float64Array, rows: Float64Array, sums: Float64Array): boolean;
  /**
   * The logistic loss's per-point pass of proximal Newton (issue 17) for all tasks in one call: block t is
   * rows offsets[t] … offsets[t+1]−1 of x (d columns, row-major), with labels y (±1), sample weights s
   * (null: all 1), weights column t of w (d × count row-major), intercept b[t] and scale c[t]:
   *   z_i = x_iᵀw_t + b_t,  f[t] = c_t Σ s_i log(1 + e^(−y_i z_i)) (evaluated stably),
   *   r_i = s_i(σ(z_i) − [y_i > 0]),  column t of g (d × count) = c_t X_tᵀr,  gb[t] = c_t Σ r_i,
   * and when `model`: D_i = s_i σ(z_i)σ(−z_i), h[t·d² …] = c_t X_tᵀDX_t (d × d, both triangles),
   * sx[t·d …] = c_t X_tᵀD1, s0[t] = c_t 1ᵀD1 (not written otherwise). Each row is read once. Optional
   * (native and the TypeScript reference; wasm leaves it out and prox-Newton keeps its GEMV/Gram path).
   * packed: x is in reference.ts packLogisticRows' layout (chunks of 64 rows, transposed, zero-padded),
   * which spares the native pass a transposition per chunk and point.
   */
  dlogisticModelBatched?(count: number, offsets: Int32Array, d: number, x: Float64Array, y: Float64Array, s: Float64Array | null,
    w: Float64Array, b: Float64Array, c: Float64Array, model: boolean,
    g: Float64Array, gb: Float64Array, h: Float64Array, sx: Float64Array, s0: Float64Array, f: Float64Array, packed?: boolean): void;
  /** x (row-major stacked blocks, `offsets` as above) into `out` in packLogisticRows' layout (its definition,
   * src/linalg/kernels/reference.ts; out has Σ_t ⌈n_t/64⌉·64·d entries). Optional (native). */
  dpackLogisticRows?(count: number, offsets: Int32Array, d: number, x: Float64Array, out: Float64Array): void;
  /**
   * Proximal Newton's inner solve for the logistic loss (issue 17), from the model pieces the pass above
   * returns: intercepts eliminated (Schur complement, H overwritten by Ĥ when withB), cyclic BCD over the
   * rows of U from U = W until the model's minimum-norm subgradient is ≤ tolAbs or maxPasses, intercept
   * step into db; kind 0 lasso, 1 L21; out = [passes, subgradient]. src/linear/solver/newton-step.ts
   * proxNewtonStepTs is the definition (and the path of backends without it). Optional (native only).
   */
  proxNewtonStep?(kind: 0 | 1, d: number, T: number, H: Float64Array, sx: Float64Array, s0: Float64Array, G: Float64Array, gb: Float64Array,
    withB: boolean, ridge: number, lambda: number, W: Float64Array, U: Float64Array, db: Float64Array, tolAbs: number, maxPasses: number, out: Float64Array): void;
  /** Element-wise, reduction, softmax, bias + activation and im2col kernels of the neural engine. */
  readonly nn: NnKernels;
}

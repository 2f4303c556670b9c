// GEMM / Gram / GEMV drivers and register-blocked micro-kernels, written once and compiled twice:
// gemm_avx2.cc (-mavx2 -mfma, 256-bit vectors) and gemm_avx512.cc (-mavx512f, 512-bit vectors),
// each inside its own namespace, so the two instruction sets never share a symbol (no ODR merge of
// an AVX-512 function into the AVX2 path). The header deliberately uses no std:: templates for the
// same reason. Included by the .cc files after PT_VEC_BYTES and the namespace are set.
//
// Structure (Goto & van de Geijn, ACM TOMS 34(3) 2008; Van Zee & van de Geijn, BLIS, ACM TOMS
// 41(3) 2015): jc (NC columns of B) → pc (KC of k: pack op(B) into NR-wide micro-panels, shared by
// the threads) → each thread its own rows in MC blocks (pack op(A) into MR-tall micro-panels) →
// jr, ir: the MR×NR micro-tile of C lives in registers over kc rank-1 updates (FMA). Packing makes
// transposes and leading dimensions free for the kernel, and zero-pads edges so it never branches.

// #define PT_VEC_BYTES 32 or 64 before including.

#ifndef PT_VEC_BYTES
#error "define PT_VEC_BYTES"
#endif

typedef double vd __attribute__((vector_size(PT_VEC_BYTES)));
typedef float vf __attribute__((vector_size(PT_VEC_BYTES)));
// Unaligned, aliasing-safe views for loads and stores of C and of unpacked operands.
typedef double vd_u __attribute__((vector_size(PT_VEC_BYTES), aligned(8), may_alias));
typedef float vf_u __attribute__((vector_size(PT_VEC_BYTES), aligned(4), may_alias));

template <typename T> struct Vec;
template <> struct Vec<double> { typedef vd V; typedef vd_u U; enum { L = PT_VEC_BYTES / 8 }; };
template <> struct Vec<float> { typedef vf V; typedef vf_u U; enum { L = PT_VEC_BYTES / 4 }; };

// Tile and block sizes. Accumulators: MR × (NR / lanes) vectors — 24 of 32 zmm (AVX-512), 12 of
// 16 ymm (AVX2), leaving registers for the NR/lanes B vectors and the broadcast A value.
// KC×NR B micro-panel (f64 AVX-512: 256·16·8 = 32 KiB) stays in L1 (48 KiB); the MC×KC A block
// in L2; the KC×NC B block in L3.
#ifndef PT_KC_D
// Measured on this machine (Xeon, AVX-512, L1d 48 KiB, L2 2 MiB; CPU time, 1024³, alongside
// other jobs): f64 KC 384 / MC 96 and f32 KC 512 / MC 48 beat 256 / 192 by 5–15 %.
#define PT_KC_D 384
#define PT_MC_D 96
#define PT_KC_S 512
#define PT_MC_S 48
#define PT_MR_S 12
#endif
#if PT_VEC_BYTES == 64
template <typename T> struct Tile;
template <> struct Tile<double> { enum { MR = 12, NV = 2, NR = 16, KC = PT_KC_D, MC = PT_MC_D, NC = 4096 }; };
template <> struct Tile<float> { enum { MR = PT_MR_S, NV = 2, NR = 32, KC = PT_KC_S, MC = PT_MC_S, NC = 4096 }; };
#else
template <typename T> struct Tile;
template <> struct Tile<double> { enum { MR = 6, NV = 2, NR = 8, KC = 256, MC = 144, NC = 4096 }; };
template <> struct Tile<float> { enum { MR = 6, NV = 2, NR = 16, KC = 256, MC = 144, NC = 4096 }; };
#endif

static inline long lmin(long a, long b) { return a < b ? a : b; }

/**
 * The micro-kernel: acc = Σ_p a[p·MR + i] · b[p·NR + j] over kc, then
 * C[i, j] = alpha·acc + beta·C[i, j] for the valid mv×nv part (beta = 0 never reads C).
 */
template <typename T>
static inline void micro(long kc, const T* __restrict a, const T* __restrict b, T* c, long ldc,
                         T alpha, T beta, long mv, long nv) {
  typedef typename Vec<T>::V V;
  typedef typename Vec<T>::U U;
  enum { MR = Tile<T>::MR, NV = Tile<T>::NV, NR = Tile<T>::NR, L = Vec<T>::L };
  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) acc[i][j] = (V){};
  for (long p = 0; p < kc; p++) {
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) bv[j] = *(const V*)(b + j * L);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      const T ai = a[i];
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) acc[i][j] += bv[j] * ai;
    }
    a += MR;
    b += NR;
  }
  if (mv == MR && nv == NR) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) {
        U* cp = (U*)(c + i * ldc + j * L);
        if (beta == 0) *cp = acc[i][j] * alpha;
        else *cp = acc[i][j] * alpha + *cp * beta;
      }
    }
    return;
  }
  T tmp[MR * NR] __attribute__((aligned(64)));
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) *(V*)(tmp + i * NR + j * L) = acc[i][j];
  for (long i = 0; i < mv; i++) {
    T* ci = c + i * ldc;
    const T* ti = tmp + i * NR;
    if (beta == 0) for (long j = 0; j < nv; j++) ci[j] = alpha * ti[j];
    else for (long j = 0; j < nv; j++) ci[j] = alpha * ti[j] + beta * ci[j];
  }
}

/** Pack rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into MR-tall micro-panels, zero-padded. */
template <typename T>
static void packA(bool trans, const T* A, long lda, long i0, long mc, long p0, long kc, T* out) {
  enum { MR = Tile<T>::MR };
  for (long ir = 0; ir < mc; ir += MR) {
    const long mr = lmin(MR, mc - ir);
    if (!trans) {
      // op(A)[i][p] = A[i·lda + p]: MR rows read in parallel.
      const T* rows[MR];
      for (long i = 0; i < MR; i++) rows[i] = A + (i0 + ir + (i < mr ? i : 0)) * lda + p0;
      if (mr == MR) {
        for (long p = 0; p < kc; p++) {
#pragma GCC unroll 16
          for (int i = 0; i < MR; i++) out[i] = rows[i][p];
          out += MR;
        }
      } else {
        for (long p = 0; p < kc; p++) {
          for (long i = 0; i < MR; i++) out[i] = i < mr ? rows[i][p] : T(0);
          out += MR;
        }
      }
    } else {
      // op(A)[i][p] = A[p·lda + i]: each step reads MR contiguous entries.
      for (long p = 0; p < kc; p++) {
        const T* src = A + (p0 + p) * lda + i0 + ir;
        long i = 0;
        for (; i < mr; i++) out[i] = src[i];
        for (; i < MR; i++) out[i] = T(0);
        out += MR;
      }
    }
  }
}

/** Pack NR-wide micro-panels number [q0, q1) of rows [p0, p0+kc) × cols [j0, j0+nc) of op(B). */
template <typename T>
static void packB(bool trans, const T* B, long ldb, long p0, long kc, long j0, long nc, long q0, long q1, T* outBase) {
  enum { NR = Tile<T>::NR };
  for (long q = q0; q < q1; q++) {
    const long jr = q * NR;
    const long nr = lmin(NR, nc - jr);
    T* out = outBase + q * NR * kc;
    if (!trans) {
      for (long p = 0; p < kc; p++) {
        const T* src = B + (p0 + p) * ldb + j0 + jr;
        if (nr == NR) {
#pragma GCC unroll 32
          for (int j = 0; j < NR; j++) out[j] = src[j];
        } else {
          long j = 0;
          for (; j < nr; j++) out[j] = src[j];
          for (; j < NR; j++) out[j] = T(0);
        }
        out += NR;
      }
    } else {
      // op(B)[p][j] = B[j·ldb + p].
      const T* cols[NR];
      for (long j = 0; j < NR; j++) cols[j] = B + (j0 + jr + (j < nr ? j : 0)) * ldb + p0;
      for (long p = 0; p < kc; p++) {
        for (long j = 0; j < NR; j++) out[j] = j < nr ? cols[j][p] : T(0);
        out += NR;
      }
    }
  }
}

/** C = beta·C over m×n (beta = 0 writes zeros without reading). */
template <typename T>
static void scaleC(long m, long n, T beta, T* c, long ldc) {
  for (long i = 0; i < m; i++) {
    T* ci = c + i * ldc;
    if (beta == 0) for (long j = 0; j < n; j++) ci[j] = 0;
    else if (beta != 1) for (long j = 0; j < n; j++) ci[j] *= beta;
  }
}

/** Everything one call needs; shared by the threads of a call. */
template <typename T>
struct GemmJob {
  bool ta, tb;
  long m, n, k;
  T alpha, beta;
  const T* A; long lda;
  const T* B; long ldb;
  T* C; long ldc;
  bool upper;      // Gram: skip micro-tiles entirely below the diagonal
  T* packedB;      // KC × NC, shared
  T* packedA[PT_MAX_THREADS]; // MC × KC per thread
  int nthreads;
};

/**
 * Thread `t` of job.nthreads: all threads pack a share of each B block, meet at a barrier,
 * then compute their own row range of C (rows split in multiples of MR), and meet again before
 * the next B block overwrites the shared buffer.
 */
template <typename T>
static void gemmThread(GemmJob<T>* J, int t, Barrier* bar) {
  enum { MR = Tile<T>::MR, NR = Tile<T>::NR, KC = Tile<T>::KC, MC = Tile<T>::MC, NC = Tile<T>::NC };
  const int nt = J->nthreads;
  const long mBlocks = (J->m + MR - 1) / MR;
  long r0 = (mBlocks * t / nt) * MR;
  long r1 = lmin(J->m, (mBlocks * (t + 1) / nt) * MR);
  if (J->upper) {
    // Gram: row i of the upper triangle has d − i entries, so equal shares of work end at
    // fractions 1 − sqrt(1 − t/nt) of the rows, not t/nt.
    const double f0 = 1.0 - __builtin_sqrt(1.0 - (double)t / nt), f1 = 1.0 - __builtin_sqrt(1.0 - (double)(t + 1) / nt);
    r0 = lmin(J->m, (long)(f0 * mBlocks + 0.5) * MR);
    r1 = t + 1 == nt ? J->m : lmin(J->m, (long)(f1 * mBlocks + 0.5) * MR);
  }
  T* pa = J->packedA[t];
  for (long jc = 0; jc < J->n; jc += NC) {
    const long nc = lmin(NC, J->n - jc);
    const long panels = (nc + NR - 1) / NR;
    for (long pc = 0; pc < J->k; pc += KC) {
      const long kc = lmin(KC, J->k - pc);
      const T beta = pc == 0 ? J->beta : T(1);
      packB<T>(J->tb, J->B, J->ldb, pc, kc, jc, nc, panels * t / nt, panels * (t + 1) / nt, J->packedB);
      if (nt > 1) bar->wait();
      for (long ic = r0; ic < r1; ic += MC) {
        const long mc = lmin(MC, r1 - ic);
        packA<T>(J->ta, J->A, J->lda, ic, mc, pc, kc, pa);
        for (long jr = 0; jr < nc; jr += NR) {
          const long nr = lmin(NR, nc - jr);
          for (long ir = 0; ir < mc; ir += MR) {
            const long mr = lmin(MR, mc - ir);
            // Gram (upper triangle): a tile whose last column is left of its first row is all below.
            if (J->upper && jc + jr + nr <= ic + ir) continue;
            micro<T>(kc, pa + ir * kc, J->packedB + jr * kc, J->C + (ic + ir) * J->ldc + jc + jr, J->ldc,
                     J->alpha, beta, mr, nr);
          }
        }
      }
      if (nt > 1) bar->wait();
    }
  }
}

template <typename T>
static void gemmRun(bool ta, bool tb, long m, long n, long k, T alpha, const T* A, long lda, const T* B, long ldb,
                    T beta, T* C, long ldc, bool upper, int nthreads) {
  enum { MR = Tile<T>::MR, KC = Tile<T>::KC, MC = Tile<T>::MC, NC = Tile<T>::NC };
  if (m <= 0 || n <= 0) return;
  if (k == 0 || alpha == 0) {
    scaleC<T>(m, n, beta, C, ldc);
    return;
  }
  // Few rows: one thread (each would get less than two micro-panels).
  if (nthreads > 1 && m < 2L * MR * nthreads) nthreads = 1;
  // Small products: the wake-up (~µs) outweighs the split below about 96³ multiply-adds.
  if (nthreads > 1 && (double)m * n * k < 96.0 * 96 * 96) nthreads = 1;
  nthreads = ptAcquire(nthreads);
  GemmJob<T> J;
  J.ta = ta; J.tb = tb; J.m = m; J.n = n; J.k = k; J.alpha = alpha; J.beta = beta;
  J.A = A; J.lda = lda; J.B = B; J.ldb = ldb; J.C = C; J.ldc = ldc; J.upper = upper;
  J.nthreads = nthreads;
  // Scratch sized to this problem (a 5×5 product must not claim the 13 MB of a full KC×NC block).
  enum { NR = Tile<T>::NR };
  const long kcMax = lmin(KC, k), ncMax = lmin(NC, n), mcMax = lmin(MC, m);
  J.packedB = (T*)ptWorkspace(0, sizeof(T) * kcMax * ((ncMax + NR - 1) / NR * NR));
  for (int t = 0; t < nthreads; t++) J.packedA[t] = (T*)ptWorkspace(1 + t, sizeof(T) * kcMax * ((mcMax + MR - 1) / MR * MR));
  if (nthreads == 1) {
    gemmThread<T>(&J, 0, nullptr);
    return;
  }
  Barrier bar(nthreads);
  struct Ctx { GemmJob<T>* J; Barrier* bar; } ctx = { &J, &bar };
  ptParallel(nthreads, [](void* p, int t) { Ctx* c = (Ctx*)p; gemmThread<T>(c->J, t, c->bar); }, &ctx);
  ptRelease();
}

/** y = alpha·A·x + beta·y over rows [r0, r1) of A (m×n): four rows per pass share each x vector. */
template <typename T>
static void gemvRows(long r0, long r1, long n, T alpha, const T* A, long lda, const T* x, T beta, T* y) {
  typedef typename Vec<T>::V V;
  typedef typename Vec<T>::U U;
  enum { L = Vec<T>::L };
  long i = r0;
  for (; i + 4 <= r1; i += 4) {
    const T* a0 = A + i * lda; const T* a1 = a0 + lda; const T* a2 = a1 + lda; const T* a3 = a2 + lda;
    V s0 = (V){}, s1 = (V){}, s2 = (V){}, s3 = (V){};
    long j = 0;
    for (; j + L <= n; j += L) {
      const V xv = *(const U*)(x + j);
      s0 += *(const U*)(a0 + j) * xv; s1 += *(const U*)(a1 + j) * xv;
      s2 += *(const U*)(a2 + j) * xv; s3 += *(const U*)(a3 + j) * xv;
    }
    T t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int l = 0; l < L; l++) { t0 += s0[l]; t1 += s1[l]; t2 += s2[l]; t3 += s3[l]; }
    for (; j < n; j++) { t0 += a0[j] * x[j]; t1 += a1[j] * x[j]; t2 += a2[j] * x[j]; t3 += a3[j] * x[j]; }
    T t[4] = { t0, t1, t2, t3 };
    for (int r = 0; r < 4; r++) y[i + r] = beta == 0 ? alpha * t[r] : alpha * t[r] + beta * y[i + r];
  }
  for (; i < r1; i++) {
    const T* a0 = A + i * lda;
    V s0 = (V){};
    long j = 0;
    for (; j + L <= n; j += L) s0 += *(const U*)(a0 + j) * *(const U*)(x + j);
    T t0 = 0;
    for (int l = 0; l < L; l++) t0 += s0[l];
    for (; j < n; j++) t0 += a0[j] * x[j];
    y[i] = beta == 0 ? alpha * t0 : alpha * t0 + beta * y[i];
  }
}

/** y[c0..c1) = alpha·(Aᵀx)[c0..c1) + beta·y[c0..c1): axpy of four rows of A at a time into y. */
template <typename T>
static void gemvTCols(long c0, long c1, long m, T alpha, const T* A, long lda, const T* x, T beta, T* y) {
  typedef typename Vec<T>::U U;
  enum { L = Vec<T>::L };
  if (beta == 0) for (long j = c0; j < c1; j++) y[j] = 0;
  else if (beta != 1) for (long j = c0; j < c1; j++) y[j] *= beta;
  long i = 0;
  for (; i + 4 <= m; i += 4) {
    const T x0 = alpha * x[i], x1 = alpha * x[i + 1], x2 = alpha * x[i + 2], x3 = alpha * x[i + 3];
    const T* a0 = A + i * lda; const T* a1 = a0 + lda; const T* a2 = a1 + lda; const T* a3 = a2 + lda;
    long j = c0;
    for (; j + L <= c1; j += L) {
      U* yp = (U*)(y + j);
      *yp = *yp + *(const U*)(a0 + j) * x0 + *(const U*)(a1 + j) * x1 + *(const U*)(a2 + j) * x2 + *(const U*)(a3 + j) * x3;
    }
    for (; j < c1; j++) y[j] += a0[j] * x0 + a1[j] * x1 + a2[j] * x2 + a3[j] * x3;
  }
  for (; i < m; i++) {
    const T xi = alpha * x[i];
    const T* a0 = A + i * lda;
    for (long j = c0; j < c1; j++) y[j] += a0[j] * xi;
  }
}

template <typename T>
struct GemvJob { bool trans; long m, n; T alpha; const T* A; long lda; const T* x; T beta; T* y; int parts; };

template <typename T>
static void gemvPart(void* p, int t) {
  GemvJob<T>* J = (GemvJob<T>*)p;
  if (!J->trans) {
    const long r0 = J->m * t / J->parts, r1 = J->m * (t + 1) / J->parts;
    gemvRows<T>(r0, r1, J->n, J->alpha, J->A, J->lda, J->x, J->beta, J->y);
  } else {
    // Column ranges aligned to 16 so the threads never share a cache line of y.
    const long blocks = (J->n + 15) / 16;
    const long c0 = lmin(J->n, blocks * t / J->parts * 16), c1 = lmin(J->n, blocks * (t + 1) / J->parts * 16);
    gemvTCols<T>(c0, c1, J->m, J->alpha, J->A, J->lda, J->x, J->beta, J->y);
  }
}

template <typename T>
static void gemvRun(bool trans, long m, long n, T alpha, const T* A, long lda, const T* x, T beta, T* y, int nthreads) {
  GemvJob<T> J = { trans, m, n, alpha, A, lda, x, beta, y, 1 };
  // Memory-bound: a second thread only pays off on matrices well beyond L2.
  if (nthreads > 1 && m * n >= (1L << 18)) J.parts = ptAcquire(nthreads);
  if (J.parts == 1) gemvPart<T>(&J, 0);
  else {
    ptParallel(J.parts, gemvPart<T>, &J);
    ptRelease();
  }
}

/** C (d×d) = alpha·XᵀX + beta·C: upper tiles by the GEMM driver, then the lower triangle mirrored. */
template <typename T>
static void gramRun(long n, long d, T alpha, const T* X, long ldx, T beta, T* C, long ldc, int nthreads) {
  if (d <= 0) return;
  gemmRun<T>(true, false, d, d, n, alpha, X, ldx, X, ldx, beta, C, ldc, true, nthreads);
  for (long i = 0; i < d; i++)
    for (long j = 0; j < i; j++) C[i * ldc + j] = C[j * ldc + i];
}

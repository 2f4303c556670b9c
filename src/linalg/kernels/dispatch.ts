// The size dispatch every compiled backend shares: below a work threshold the call and copy
// overhead of a compiled kernel exceeds the work, so small problems go to the TypeScript reference.
import { referenceKernels } from './reference.ts';
import type { Kernels } from './types.ts';

type Dense = Pick<Kernels, 'dgemm' | 'sgemm' | 'dgemv' | 'sgemv' | 'dgram' | 'sgram'>;

/** The six dense products of `direct`, sent to the reference when m·n·k (gemm), n·d² (gram) or m·n
 * (gemv) is below the backend's measured crossover. */
export function smallToReference(direct: Dense, gemmWork: number, gemvWork: number): Dense {
  const ref = referenceKernels;
  return {
    dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      (m * n * k < gemmWork ? ref : direct).dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    },
    sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      (m * n * k < gemmWork ? ref : direct).sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    },
    dgemv(trans, m, n, alpha, a, lda, x, beta, y) {
      (m * n < gemvWork ? ref : direct).dgemv(trans, m, n, alpha, a, lda, x, beta, y);
    },
    sgemv(trans, m, n, alpha, a, lda, x, beta, y) {
      (m * n < gemvWork ? ref : direct).sgemv(trans, m, n, alpha, a, lda, x, beta, y);
    },
    dgram(n, d, alpha, x, ldx, beta, c, ldc) {
      (n * d * d < gemmWork ? ref : direct).dgram(n, d, alpha, x, ldx, beta, c, ldc);
    },
    sgram(n, d, alpha, x, ldx, beta, c, ldc) {
      (n * d * d < gemmWork ? ref : direct).sgram(n, d, alpha, x, ldx, beta, c, ldc);
    },
  };
}

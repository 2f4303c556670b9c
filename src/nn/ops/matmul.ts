// Matrix product with optional transposes, through the backend GEMM (so a faster backend speeds up
// the engine without changes here). Lanes backward: dA of all lanes in ONE GEMM when A is not
// transposed (the lanes' cotangents stack into a (lanes·m) × n matrix); dB one GEMM per lane.
import { ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';
import { gemm } from './util.ts';

/** op(a)·op(b) for 2-D a, b; op = transpose when transA / transB. */
export function matmul(g: Tape, a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new ShapeError(`matmul: operands must be 2-D, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  const m = transA ? a.shape[1]! : a.shape[0]!;
  const k = transA ? a.shape[0]! : a.shape[1]!;
  const k2 = transB ? b.shape[1]! : b.shape[0]!;
  const n = transB ? b.shape[0]! : b.shape[1]!;
  if (k !== k2) {
    throw new ShapeError(`matmul: inner dimensions differ: ${transA ? 'aᵀ' : 'a'} ${shapeStr(a.shape)} · ${transB ? 'bᵀ' : 'b'} ${shapeStr(b.shape)}`);
  }
  const o = g.out([m, n], [a, b], matmulBackward);
  o.aux.push(transA ? 1 : 0, transB ? 1 : 0, m, n, k);
  gemm(g, transA, transB, m, n, k, 1, a.data, a.shape[1]!, b.data, b.shape[1]!, 0, o.data, n);
  return o;
}

function matmulBackward(g: Tape, o: Tensor, lanes: number): void {
  const [a, b] = o.inputs as [Tensor, Tensor];
  const tA = o.aux[0] === 1, tB = o.aux[1] === 1, m = o.aux[2]!, n = o.aux[3]!, k = o.aux[4]!;
  const go = o.grad!;
  const lda = a.shape[1]!, ldb = b.shape[1]!;
  const ga = g.gradOf(a, lanes);
  if (ga) {
    if (!tA) {
      // dA (m×k) += dC·op(B)ᵀ; all lanes at once: (lanes·m)×k
      gemm(g, false, !tB, lanes * m, k, n, 1, go, n, b.data, ldb, 1, ga, k);
    } else {
      // A stored k×m: dA += op(B)·dCᵀ
      for (let l = 0; l < lanes; l++) {
        const gol = lanes === 1 ? go : go.subarray(l * m * n, (l + 1) * m * n);
        const gal = lanes === 1 ? ga : ga.subarray(l * k * m, (l + 1) * k * m);
        gemm(g, tB, true, k, m, n, 1, b.data, ldb, gol, n, 1, gal, m);
      }
    }
  }
  const gb = g.gradOf(b, lanes);
  if (gb) {
    for (let l = 0; l < lanes; l++) {
      const gol = lanes === 1 ? go : go.subarray(l * m * n, (l + 1) * m * n);
      const gbl = lanes === 1 ? gb : gb.subarray(l * k * n, (l + 1) * k * n);
      if (!tB) gemm(g, !tA, false, k, n, m, 1, a.data, lda, gol, n, 1, gbl, n); // dB (k×n) += op(A)ᵀ·dC
      else gemm(g, true, tA, n, k, m, 1, gol, n, a.data, lda, 1, gbl, k); // B stored n×k: dB += dCᵀ·op(A)
    }
  }
}

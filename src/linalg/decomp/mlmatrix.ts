// Conversions to and from ml-matrix, which provides the decompositions (see each decomp file for
// why a library is adequate there).
import { Matrix as MLMatrix } from 'ml-matrix';
import { Matrix } from '../matrix.ts';

export function toML(a: Matrix): MLMatrix {
  const m = new MLMatrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) m.set(i, j, a.data[i * a.cols + j]!);
  return m;
}

export function fromML(m: MLMatrix): Matrix {
  const out = Matrix.zeros(m.rows, m.columns);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) out.data[i * m.columns + j] = m.get(i, j);
  return out;
}

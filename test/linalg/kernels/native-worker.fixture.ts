// Runs inside a worker thread for test/linalg/kernels/native.test.ts: reports how many threads
// this thread's native calls may use (POLYTASK_THREADS from the worker's own env) and checks a
// GEMM large enough to be split, computed while the main thread may be using the pool too.
import { parentPort } from 'node:worker_threads';
import { nativeLoad } from '../../../src/linalg/kernels/native.ts';
import { referenceKernels as ref } from '../../../src/linalg/kernels/reference.ts';

const n = 160;
const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i));
const c = new Float64Array(n * n), want = new Float64Array(n * n);
nativeLoad.direct!.dgemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n);
ref.dgemm(false, true, n, n, n, 1, a, n, b, n, 0, want, n);
let err = 0;
for (let i = 0; i < n * n; i++) err = Math.max(err, Math.abs(c[i]! - want[i]!));
parentPort!.postMessage({ threads: nativeLoad.threads(), err });

// @ts-nocheck -- AssemblyScript entry point, compiled by scripts/build-wasm.mjs into build/kernels.wasm.
// Re-exports the float64 and float32 kernels; wasm.ts calls them with addresses into linear memory.

export { dgemmWorkspace, dscale, dgemm, dgram, dgemv, dsymvBatched, dgemvBatched, dresidualGradBatched } from './f64';
export { sgemmWorkspace, sscale, sgemm, sgram, sgemv } from './f32';

/** First free byte after AssemblyScript's static data: the JS arena starts here (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~<usize>15;
}

// Chooses the kernel backend once, at start-up: WebAssembly SIMD when it loads, else the plain
// TypeScript reference. POLYTASK_BACKEND=ts|wasm overrides; setBackend() switches at run time
// (tests use it to compare backends). The wasm backend registers itself in ./kernels/wasm.ts.
import { OptionError } from '../errors.ts';
import type { BackendName, Kernels } from './kernels/types.ts';
import { referenceKernels } from './kernels/reference.ts';

let active: Kernels = referenceKernels;
const available = new Map<BackendName, Kernels>([['ts', referenceKernels]]);

export function registerBackend(k: Kernels): void {
  available.set(k.name, k);
}

export function kernels(): Kernels {
  return active;
}

export function backendName(): BackendName {
  return active.name;
}

export function availableBackends(): BackendName[] {
  return [...available.keys()];
}

export function setBackend(name: BackendName): void {
  const k = available.get(name);
  if (!k) throw new OptionError('backend', `"${name}" is not available here (available: ${availableBackends().join(', ')})`);
  active = k;
}

// Chooses the kernel backend once, on first use: POLYTASK_BACKEND=ts|wasm when set, else
// WebAssembly SIMD when build/kernels.wasm loaded and passed its self-test, else the plain
// TypeScript reference. setBackend() switches at run time (tests use it to compare backends).
// The wasm module is loaded by ./kernels/wasm.ts, which never throws: a missing or invalid file
// only leaves the reason in backendInfo(). Nothing is logged.
import { OptionError } from '../errors.ts';
import type { BackendName, Kernels } from './kernels/types.ts';
import { referenceKernels } from './kernels/reference.ts';
import { wasmLoad } from './kernels/wasm.ts';

export const BACKEND_ENV = 'POLYTASK_BACKEND';

export interface BackendInfo {
  readonly name: BackendName;
  /** Why this backend is active (e.g. "POLYTASK_BACKEND=ts", or why wasm did not load). */
  readonly reason: string;
}

const available = new Map<BackendName, Kernels>([['ts', referenceKernels]]);
if (wasmLoad.kernels) available.set('wasm', wasmLoad.kernels);

let active: { kernels: Kernels; reason: string } | null = null;

/**
 * The selection rule as a pure function (tested directly): `env` is the value of
 * POLYTASK_BACKEND (undefined or '' when unset), `wasmReason` why wasm did or did not load.
 */
export function selectBackend(env: string | undefined, have: ReadonlyMap<BackendName, Kernels>, wasmReason: string): { kernels: Kernels; reason: string } {
  const ts = have.get('ts') ?? referenceKernels;
  if (env !== undefined && env !== '') {
    const v = env.trim().toLowerCase();
    if (v !== 'ts' && v !== 'wasm') {
      throw new OptionError(BACKEND_ENV, `"${env}" is not a backend; use ts or wasm (or leave it unset to choose automatically)`);
    }
    if (v === 'ts') return { kernels: ts, reason: `${BACKEND_ENV}=ts` };
    const w = have.get('wasm');
    if (!w) throw new OptionError(BACKEND_ENV, `wasm was requested but is not available: ${wasmReason}`);
    return { kernels: w, reason: `${BACKEND_ENV}=wasm; ${wasmReason}` };
  }
  const w = have.get('wasm');
  if (w) return { kernels: w, reason: wasmReason };
  return { kernels: ts, reason: `TypeScript reference kernels (wasm unavailable: ${wasmReason})` };
}

function current(): { kernels: Kernels; reason: string } {
  if (!active) active = selectBackend(process.env[BACKEND_ENV], available, wasmLoad.reason);
  return active;
}

export function kernels(): Kernels {
  return current().kernels;
}

export function backendName(): BackendName {
  return current().kernels.name;
}

/** The active backend and why it was chosen (printed by `polytask --version`). */
export function backendInfo(): BackendInfo {
  const a = current();
  return { name: a.kernels.name, reason: a.reason };
}

export function availableBackends(): BackendName[] {
  return [...available.keys()];
}

export function setBackend(name: BackendName): void {
  const k = available.get(name);
  if (!k) throw new OptionError('backend', `"${name}" is not available here (available: ${availableBackends().join(', ')})`);
  active = { kernels: k, reason: `set by setBackend('${name}')` };
}

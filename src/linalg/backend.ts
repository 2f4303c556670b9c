// Chooses the kernel backend once, on first use: POLYTASK_BACKEND=native|wasm|ts when set, else
// the native addon when it loaded (built at install, CPU with AVX2 + FMA, self-test passed), else
// WebAssembly SIMD when build/kernels.wasm loaded and passed its self-test, else the plain
// TypeScript reference. setBackend() switches at run time (tests use it to compare backends).
// The loaders (./kernels/native.ts, ./kernels/wasm.ts) never throw: a missing or invalid addon or
// module only leaves its reason, which backendInfo() reports (one line in `polytask --version`).
// Nothing is logged.
import { OptionError } from '../errors.ts';
import type { BackendName, Kernels } from './kernels/types.ts';
import { referenceKernels } from './kernels/reference.ts';
import { nativeLoad, type NativeDecomp } from './kernels/native.ts';
import { threadsFromEnv, THREADS_ENV } from './kernels/threads.ts';
import { wasmLoad } from './kernels/wasm.ts';

export const BACKEND_ENV = 'POLYTASK_BACKEND';

export interface BackendInfo {
  readonly name: BackendName;
  /** Why this backend is active (e.g. "POLYTASK_BACKEND=ts", or why wasm did not load). */
  readonly reason: string;
}

const available = new Map<BackendName, Kernels>([['ts', referenceKernels]]);
if (wasmLoad.kernels) available.set('wasm', wasmLoad.kernels);
if (nativeLoad.kernels) available.set('native', nativeLoad.kernels);

let active: { kernels: Kernels; reason: string } | null = null;

const NAMES: readonly BackendName[] = ['native', 'wasm', 'ts'];

/**
 * The selection rule as a pure function (tested directly): `env` is the value of
 * POLYTASK_BACKEND (undefined or '' when unset); `wasmReason` / `nativeReason` say why each did or
 * did not load. A forced backend that is unavailable is an OptionError naming the variable.
 */
export function selectBackend(env: string | undefined, have: ReadonlyMap<BackendName, Kernels>, wasmReason: string,
  nativeReason = 'native backend not registered'): { kernels: Kernels; reason: string } {
  const ts = have.get('ts') ?? referenceKernels;
  const why = (n: BackendName): string => (n === 'native' ? nativeReason : n === 'wasm' ? wasmReason : 'TypeScript reference kernels');
  if (env !== undefined && env !== '') {
    const v = env.trim().toLowerCase() as BackendName;
    if (!NAMES.includes(v)) {
      throw new OptionError(BACKEND_ENV, `"${env}" is not a backend; use native, wasm or ts (or leave it unset to choose automatically)`);
    }
    if (v === 'ts') return { kernels: ts, reason: `${BACKEND_ENV}=ts` };
    const k = have.get(v);
    if (!k) throw new OptionError(BACKEND_ENV, `${v} was requested but is not available: ${why(v)}`);
    return { kernels: k, reason: `${BACKEND_ENV}=${v}; ${why(v)}` };
  }
  const n = have.get('native');
  if (n) return { kernels: n, reason: nativeReason };
  const w = have.get('wasm');
  if (w) return { kernels: w, reason: `${wasmReason} — ${nativeReason}` };
  return { kernels: ts, reason: `TypeScript reference kernels (wasm unavailable: ${wasmReason}; ${nativeReason})` };
}

function current(): { kernels: Kernels; reason: string } {
  if (!active) {
    // A bad POLYTASK_THREADS is a user error on first use, whichever backend would read it.
    const t = process.env[THREADS_ENV];
    threadsFromEnv(t);
    active = selectBackend(process.env[BACKEND_ENV], available, wasmLoad.reason, nativeLoad.reason);
  }
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

/**
 * The native decompositions when the active backend is native, else null (the TypeScript ones
 * run). src/linalg/decomp/{cholesky,eigh,svd}.ts call this: the small dispatch of issue 14.
 */
export function nativeDecomp(): NativeDecomp | null {
  return current().kernels.name === 'native' ? nativeLoad.decomp : null;
}

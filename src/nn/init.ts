// Seeded initialisers. Kaiming/He (He et al. 2015, eq. 10: Var = gain²/fan_in, gain √2 for ReLU) and
// Xavier/Glorot (Glorot & Bengio 2010, eq. 16: U(±√(6/(fan_in + fan_out)))). 'torch-default' is
// PyTorch's nn.Linear/Conv2d default, U(±1/√fan_in), kept for parity runs against PyTorch.
import { OptionError } from '../errors.ts';
import type { Random } from '../linalg/random.ts';
import type { Data } from './tensor.ts';

export type InitName = 'kaiming-uniform' | 'kaiming-normal' | 'xavier-uniform' | 'xavier-normal' | 'torch-default' | 'zeros';
export const INIT_NAMES: readonly InitName[] = ['kaiming-uniform', 'kaiming-normal', 'xavier-uniform', 'xavier-normal', 'torch-default', 'zeros'];

/** Fill `out` from the named initialiser; `gain` defaults to √2 (ReLU) for Kaiming and 1 for Xavier. */
export function initFill(out: Data, init: InitName, rng: Random, fanIn: number, fanOut: number, gain?: number): void {
  const n = out.length;
  switch (init) {
    case 'kaiming-uniform': {
      const b = (gain ?? Math.SQRT2) * Math.sqrt(3 / fanIn);
      for (let i = 0; i < n; i++) out[i] = rng.uniformIn(-b, b);
      return;
    }
    case 'kaiming-normal': {
      const s = (gain ?? Math.SQRT2) / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) out[i] = rng.normal(0, s);
      return;
    }
    case 'xavier-uniform': {
      const b = (gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = rng.uniformIn(-b, b);
      return;
    }
    case 'xavier-normal': {
      const s = (gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = rng.normal(0, s);
      return;
    }
    case 'torch-default': {
      const b = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) out[i] = rng.uniformIn(-b, b);
      return;
    }
    case 'zeros':
      out.fill(0);
      return;
    default:
      throw new OptionError('init', `unknown initialiser "${String(init)}"; use one of ${INIT_NAMES.join(', ')}`);
  }
}

// The balancing methods by name (CLI --weighting / --aggregator), with their options named after the
// papers. Each factory validates its options and throws OptionError naming the flag.
import { OptionError } from '../errors.ts';
import { alignedMtl } from './aggregator/aligned-mtl.ts';
import { cagrad } from './aggregator/cagrad.ts';
import { config } from './aggregator/config.ts';
import { dbMtl } from './aggregator/db-mtl.ts';
import { dualproj } from './aggregator/dualproj.ts';
import { fairgrad } from './aggregator/fairgrad.ts';
import { graddrop } from './aggregator/graddrop.ts';
import { gradvac } from './aggregator/gradvac.ts';
import { imtlG } from './aggregator/imtl-g.ts';
import { mean, sum } from './aggregator/mean.ts';
import { mgda, mgdaUb, type MgdaNormalisation } from './aggregator/mgda.ts';
import { moco } from './aggregator/moco.ts';
import { nashMtl } from './aggregator/nash-mtl.ts';
import { pcgrad } from './aggregator/pcgrad.ts';
import { randomAggregator } from './aggregator/random.ts';
import { upgrad } from './aggregator/upgrad.ts';
import type { Aggregator, Weighting } from './types.ts';
import { dwa } from './weighting/dwa.ts';
import { ew } from './weighting/ew.ts';
import { excessMtl } from './weighting/excess-mtl.ts';
import { famo } from './weighting/famo.ts';
import { gls } from './weighting/gls.ts';
import { gradnorm } from './weighting/gradnorm.ts';
import { imtlL } from './weighting/imtl-l.ts';
import { rlw } from './weighting/rlw.ts';
import { stch } from './weighting/stch.ts';
import { uw } from './weighting/uw.ts';

export type * from './types.ts';
export { directionOf, gramianOf } from './core.ts';
export { competition, conflictingPairs, cosineMatrix, gradientNormRatios, gradientNorms } from './competition.ts';

/** Options as parsed from the command line: `--cagrad-c 0.5` → { c: 0.5 } for cagrad. */
export type MethodOptions = Readonly<Record<string, number | string | undefined>>;

function num(o: MethodOptions, key: string, flag: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const x = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(x)) throw new OptionError(flag, `must be a number, got "${v}"`);
  return x;
}

function seedOf(o: MethodOptions): number {
  const s = num(o, 'seed', '--seed') ?? 0;
  if (!Number.isInteger(s)) throw new OptionError('--seed', `must be an integer, got ${s}`);
  return s;
}

export const AGGREGATORS: Readonly<Record<string, (o: MethodOptions) => Aggregator>> = {
  mean: () => mean(),
  sum: () => sum(),
  mgda: (o) => mgda({ normalisation: (o.normalisation as MgdaNormalisation | undefined) ?? 'none', solver: (o.solver as 'active-set' | 'frank-wolfe' | undefined) ?? 'active-set' }),
  'mgda-ub': (o) => mgdaUb({ normalisation: (o.normalisation as MgdaNormalisation | undefined) ?? 'none' }),
  pcgrad: (o) => pcgrad({ seed: seedOf(o) }),
  gradvac: (o) => gradvac({ seed: seedOf(o), beta: num(o, 'beta', '--gradvac-beta') ?? 0.5 }),
  cagrad: (o) => cagrad({ c: num(o, 'c', '--cagrad-c') ?? 0.5, rescale: (num(o, 'rescale', '--cagrad-rescale') ?? 1) as 0 | 1 | 2 }),
  'nash-mtl': (o) => nashMtl({ maxNorm: num(o, 'maxNorm', '--nash-max-norm') ?? 1, updateWeightsEvery: num(o, 'updateWeightsEvery', '--nash-update-weights-every') ?? 1 }),
  'imtl-g': () => imtlG(),
  'aligned-mtl': (o) => alignedMtl({ scale: (o.scale as 'min' | 'median' | 'rmse' | undefined) ?? 'min' }),
  upgrad: (o) => upgrad({ normEps: num(o, 'normEps', '--upgrad-norm-eps') ?? 1e-4, regEps: num(o, 'regEps', '--upgrad-reg-eps') ?? 1e-4 }),
  dualproj: (o) => dualproj({ normEps: num(o, 'normEps', '--dualproj-norm-eps') ?? 1e-4, regEps: num(o, 'regEps', '--dualproj-reg-eps') ?? 1e-4 }),
  fairgrad: (o) => fairgrad({ alpha: num(o, 'alpha', '--fairgrad-alpha') ?? 1 }),
  config: () => config(),
  'db-mtl': (o) => dbMtl({ beta: num(o, 'beta', '--db-beta') ?? 0.9, betaSigma: num(o, 'betaSigma', '--db-beta-sigma') ?? 0 }),
  moco: (o) => moco({ beta: num(o, 'beta', '--moco-beta') ?? 0.5, betaSigma: num(o, 'betaSigma', '--moco-beta-sigma') ?? 0.5, gamma: num(o, 'gamma', '--moco-gamma') ?? 0.1, gammaSigma: num(o, 'gammaSigma', '--moco-gamma-sigma') ?? 0.5, rho: num(o, 'rho', '--moco-rho') ?? 0 }),
  graddrop: (o) => graddrop({ seed: seedOf(o), leak: num(o, 'leak', '--graddrop-leak') ?? 0 }),
  random: (o) => randomAggregator({ seed: seedOf(o) }),
};

export const WEIGHTINGS: Readonly<Record<string, (o: MethodOptions) => Weighting>> = {
  ew: (o) => ew({ reduction: (o.reduction as 'sum' | 'mean' | undefined) ?? 'sum' }),
  uw: (o) => uw({ lr: num(o, 'lr', '--uw-lr') ?? 1e-3 }),
  dwa: (o) => dwa({ tau: num(o, 'tau', '--dwa-tau') ?? 2 }),
  gls: () => gls(),
  rlw: (o) => rlw({ seed: seedOf(o) }),
  stch: (o) => stch({ mu: num(o, 'mu', '--stch-mu') ?? 1, warmupEpochs: num(o, 'warmupEpochs', '--stch-warmup-epochs') ?? 4 }),
  famo: (o) => famo({ lr: num(o, 'lr', '--famo-lr') ?? 0.025, weightDecay: num(o, 'weightDecay', '--famo-weight-decay') ?? 1e-3 }),
  gradnorm: (o) => gradnorm({ alpha: num(o, 'alpha', '--gradnorm-alpha') ?? 1.5, lr: num(o, 'lr', '--gradnorm-lr') ?? 1e-3 }),
  'imtl-l': (o) => imtlL({ lr: num(o, 'lr', '--imtl-lr') ?? 1e-3 }),
  'excess-mtl': (o) => excessMtl({ stepSize: num(o, 'stepSize', '--excess-step-size') ?? 1e-2 }),
};

export function createAggregator(name: string, options: MethodOptions = {}): Aggregator {
  const f = AGGREGATORS[name];
  if (!f) throw new OptionError('--aggregator', `unknown aggregator "${name}"; known: ${Object.keys(AGGREGATORS).join(', ')}`);
  return f(options);
}

export function createWeighting(name: string, options: MethodOptions = {}): Weighting {
  const f = WEIGHTINGS[name];
  if (!f) throw new OptionError('--weighting', `unknown weighting "${name}"; known: ${Object.keys(WEIGHTINGS).join(', ')}`);
  return f(options);
}

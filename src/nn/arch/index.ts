// The architectures of issue 11 by name (one file each, citing its paper).
import { OptionError } from '../../errors.ts';
import type { Random } from '../../linalg/random.ts';
import { ARCH_NAMES, type ArchCommon, type ArchName, type EncoderSpec, type MtlArchitecture } from './common.ts';
import { CGC } from './cgc.ts';
import { CrossStitch } from './cross-stitch.ts';
import { DSelectK } from './dselect-k.ts';
import { ESMM } from './esmm.ts';
import { HPS, STL } from './hps.ts';
import { MMoE } from './mmoe.ts';
import { MTAN } from './mtan.ts';
import { PLE } from './ple.ts';

export * from './common.ts';
export { CGC, CrossStitch, DSelectK, ESMM, HPS, STL, MMoE, MTAN, PLE };

/** Every option any architecture reads; each takes what it needs. */
export interface ArchOptions extends ArchCommon {
  readonly encoder: EncoderSpec;
  readonly experts?: number;
  readonly sharedExperts?: number;
  readonly taskExperts?: number;
  readonly k?: number;
  readonly gamma?: number;
  readonly gammaEnd?: number;
  readonly entropyReg?: number;
  readonly gate?: 'static' | 'per-example';
  readonly distinctReg?: number;
  readonly alphaSelf?: number;
  readonly mixScale?: number;
  readonly embedding?: number;
  readonly towerHidden?: readonly number[];
  /** ESMM: index of the CTR task (the other is CTCVR). */
  readonly ctrIndex?: 0 | 1;
}

export function buildArchitecture(name: ArchName, o: ArchOptions, rng: Random): MtlArchitecture {
  switch (name) {
    case 'stl': return new STL(o, rng);
    case 'hps': return new HPS(o, rng);
    case 'cross-stitch': return new CrossStitch(o, rng);
    case 'mmoe': return new MMoE(o, rng);
    case 'cgc': return new CGC(o, rng);
    case 'ple': return new PLE(o, rng);
    case 'dselect-k': return new DSelectK(o, rng);
    case 'mtan': return new MTAN(o, rng);
    case 'esmm': {
      if (o.encoder.kind !== 'mlp') throw new OptionError('arch', 'ESMM takes dense feature vectors (an MLP input), not images');
      return new ESMM({ ...o, input: o.encoder.input, towerHidden: o.towerHidden ?? o.headHidden ?? o.encoder.hidden }, rng);
    }
    default: throw new OptionError('arch', `unknown architecture "${String(name)}" (available: ${ARCH_NAMES.join(', ')})`);
  }
}

// Entire Space Multi-task Model (Ma, Zhao, Huang, Wang, Hu, Zhu & Gai, SIGIR 2018), eqs. 1–3: post-
// click conversion rate is learned over ALL impressions, never on the click-biased subsample:
//     p(y=1, z=1 | x) = p(y=1 | x) · p(z=1 | y=1, x),   i.e.  pCTCVR = pCTR × pCVR,
//     L = Σ_i ℓ(y_i, pCTR(x_i)) + Σ_i ℓ(y_i & z_i, pCTR(x_i) · pCVR(x_i))        (eq. 3)
// with y the click and z the conversion. The two supervised tasks are therefore CTR and CTCVR (in this
// order); the CVR tower has no label of its own and is learned through the product. Both towers share
// the embedding (for dense inputs a shared linear map, the dense analogue of a shared lookup table).
//
// Outputs are logits, so the losses are the standard BCE-with-logits: the CTCVR logit of
// σ(a)·σ(b) (a, b the CTR and CVR logits) is computed stably as
//     logit(σ(a)σ(b)) = a + b − log(1 + e^a + e^b)
// (because 1 − σ(a)σ(b) = (1 + e^a + e^b)/((1 + e^a)(1 + e^b))), with the log-sum-exp taken by
// log-softmax over [0, a, b]. The CTR tower feeds both losses, so it is shared with the embedding:
// the representation is [embedding, CTR logit]; task-specific is only the CVR tower (task CTCVR).
import { OptionError } from '../../errors.ts';
import type { Random } from '../../linalg/random.ts';
import { Linear, type MLP } from '../module.ts';
import { add } from '../ops/elementwise.ts';
import { logSoftmax } from '../ops/nn.ts';
import { concat, slice } from '../ops/shape.ts';
import type { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import { buildHead, checkCommon, checkInput, positiveInt, type ArchCommon, type MtlArchitecture, type MtlOutput } from './common.ts';

export interface EsmmOptions extends ArchCommon {
  /** Input width d (dense features). */
  readonly input: number;
  /** Shared embedding width (default 16). */
  readonly embedding?: number;
  /** Hidden layers of each tower (default [32]); headHidden is not used. */
  readonly towerHidden?: readonly number[];
  /** Which of the two tasks is the click task (CTR); the other is click-and-convert (CTCVR). Default 0. */
  readonly ctrIndex?: 0 | 1;
}

export class ESMM implements MtlArchitecture {
  readonly kind = 'esmm' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly embedding: Linear;
  readonly ctrTower: MLP;
  readonly cvrTower: MLP;
  readonly embDim: number;
  /** Task index of CTR (the other index is CTCVR). */
  readonly ctrIndex: 0 | 1;
  constructor(o: EsmmOptions, rng: Random) {
    checkCommon(o);
    if (o.taskNames.length !== 2) throw new OptionError('tasks', `ESMM needs exactly two binary tasks, CTR then CTCVR (click, click-and-convert), got ${o.taskNames.length}: ${o.taskNames.join(', ')}`);
    if (o.outDims.some((k) => k !== 1)) throw new OptionError('outDims', 'ESMM tasks are binary (one logit each)');
    const dtype = o.dtype ?? 'float32';
    this.taskNames = [...o.taskNames];
    this.outDims = [1, 1];
    this.ctrIndex = o.ctrIndex ?? 0;
    if (this.ctrIndex !== 0 && this.ctrIndex !== 1) throw new OptionError('ctrTask', `ESMM: the CTR task is task 0 or 1, got ${String(o.ctrIndex)}`);
    const d = positiveInt('input', o.input, 1);
    this.inShape = [d];
    this.embDim = positiveInt('embedding', o.embedding, 16);
    this.embedding = new Linear('embedding', d, this.embDim, rng, { dtype, init: 'xavier-uniform' });
    const hidden = o.towerHidden ?? [32];
    this.ctrTower = buildHead('tower.ctr', this.embDim, hidden, 1, rng, dtype);
    this.cvrTower = buildHead('tower.cvr', this.embDim, hidden, 1, rng, dtype);
  }
  /** Logits: CTR (a), CVR (b), CTCVR (logit of σ(a)σ(b)), and the representation. */
  logits(g: Tape, x: Tensor): { ctr: Tensor; cvr: Tensor; ctcvr: Tensor; features: Tensor } {
    checkInput(this, x);
    const B = x.shape[0]!, E = this.embDim;
    const e = this.embedding.forward(g, x);
    const features = concat(g, [e, this.ctrTower.forward(g, e)], 1); // [B, E + 1]
    const a = slice(g, features, 1, E, E + 1);
    const b = this.cvrTower.forward(g, slice(g, features, 1, 0, E));
    const lse = slice(g, logSoftmax(g, concat(g, [g.full([B, 1], 0), a, b], 1)), 1, 0, 1); // −log(1 + e^a + e^b)
    return { ctr: a, cvr: b, ctcvr: add(g, add(g, a, b), lse), features };
  }
  forward(g: Tape, x: Tensor): MtlOutput {
    const { ctr, ctcvr, features } = this.logits(g, x);
    return { outputs: this.ctrIndex === 0 ? [ctr, ctcvr] : [ctcvr, ctr], features, aux: [null, null], gates: [] };
  }
  sharedParameters(): Param[] { return [...this.embedding.parameters(), ...this.ctrTower.parameters()]; }
  taskParameters(t: number): Param[] { return t !== this.ctrIndex ? this.cvrTower.parameters() : []; }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.cvrTower.parameters()]; }
  structure(): Record<string, unknown> { return { tasks: { ctr: this.taskNames[this.ctrIndex], ctcvr: this.taskNames[1 - this.ctrIndex] } }; }
}

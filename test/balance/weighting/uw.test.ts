// UW: weights = ∂objective/∂L by finite differences; with fixed losses the learned s goes to the
// stationary point e^{s_t} = L_t (which checks the sign and form of ∂/∂s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uw, uwObjective } from '../../../src/balance/weighting/uw.ts';
import { fdGradient } from '../helpers.ts';

test('uw: weights are ∂objective/∂L; s converges to log L', () => {
  const L = Float64Array.from([0.3, 2, 5]);
  const agg = uw({ lr: 0.01 });
  let state = agg.init(3);
  const first = agg.weigh({ mode: 'backward', losses: L, epoch: 0 }, state);
  const fd = fdGradient((x) => uwObjective(x, state.s), L);
  first.weights.forEach((w, t) => assert.ok(Math.abs(w - fd[t]!) < 1e-7));
  assert.ok(Math.abs(first.objective - uwObjective(L, state.s)) < 1e-15);
  // ∂/∂s by finite differences equals the gradient the state update uses: s moves against it.
  const gs = fdGradient((s) => uwObjective(L, s), state.s);
  state = first.state;
  for (let t = 0; t < 3; t++) assert.ok(Math.sign(state.s[t]! - -0.5) === -Math.sign(gs[t]!));
  for (let k = 0; k < 4000; k++) state = agg.weigh({ mode: 'backward', losses: L, epoch: 0 }, state).state;
  state.s.forEach((s, t) => assert.ok(Math.abs(s - Math.log(L[t]!)) < 0.02, `s${t} = ${s}, log L = ${Math.log(L[t]!)}`));
});

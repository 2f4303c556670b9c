// The comparison's fit diagnostics in words: unconverged fits, failed fits and units, grid edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnosticLines, failedCell, unconvergedCell } from '../../src/report/diagnostics.ts';
import { buildReport } from '../../src/report/specs.ts';
import { comparisonTable } from '../../src/cli/compare-print.ts';
import { fixtureResult } from './fixture.ts';

test('all converged: table cells say so and no model is listed', () => {
  const r = fixtureResult(3);
  for (const m of r.models) {
    assert.equal(unconvergedCell(m), `0/${m.fits.total}`);
    assert.equal(failedCell(m), '0');
  }
  assert.deepEqual(diagnosticLines(r), []);
  assert.match(buildReport(r).sections.find((s) => s.id === 'convergence')!.notes!.join('\n'), /Every fit of every model converged/);
});

test('unconverged fits, a failed unit and grid edges are named with counts, optimality and the first message', () => {
  const r0 = fixtureResult(3);
  const r = {
    ...r0,
    models: r0.models.map((m) =>
      m.name === 'mtrl'
        ? {
            ...m,
            fits: { ...m.fits, unconverged: 3, failed: 1, worst_optimality: 2.1e-4 },
            unconverged: [{ split: 1, fold: 2, params: { lambda: 0.1 }, optimality: 2.1e-4 }, { split: 2, fold: null, params: { lambda: 1 }, optimality: 1e-5 }],
            failures: [{ split: 4, fold: null, stage: 'unit' as const, message: 'svd: did not converge' }],
            units_failed: 1,
            cv_warnings: [{ split: 2, warning: 'lambda at the grid edge' }],
          }
        : m,
    ),
  };
  const mtrl = r.models.find((m) => m.name === 'mtrl')!;
  assert.equal(unconvergedCell(mtrl), `3/${mtrl.fits.total}`);
  assert.equal(failedCell(mtrl), '1 unit, 1 fit');
  const lines = diagnosticLines(r);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^mtrl: 3 of \d+ fits stopped at the iteration cap without converging \(worst optimality 2\.1e-4; 1 of them final refits/);
  assert.match(lines[0]!, /1 of 5 splits failed as a whole .* first: split 4 \(unit\): svd: did not converge/);
  assert.match(lines[0]!, /grid edge on 1 of 5 splits/);
  assert.match(comparisonTable(r), /unconverged fits\s+failed\s+time\/split/);
  assert.match(comparisonTable(r), new RegExp(`mtrl .* 3/${mtrl.fits.total}\\s+1 unit, 1 fit`));
  const rep = buildReport(r);
  assert.equal(rep.summary.find((s) => s.model === 'mtrl')!.failed, '1 unit, 1 fit');
  assert.ok(rep.sections.find((s) => s.id === 'convergence')!.notes!.includes(lines[0]!));
});

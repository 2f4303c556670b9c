import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProgress } from '../../src/cli/progress.ts';
import { fitFraction, fitProgress } from '../../src/cli/fit-progress.ts';
import type { CliIO } from '../../src/cli/io.ts';

function fakeIO(tty: boolean): { io: CliIO; err: () => string } {
  let err = '';
  const io: CliIO = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s), isTTY: tty, columns: 100 }, cwd: '.', env: {} };
  return { io, err: () => err };
}

test('not a terminal: nothing for short work, then occasional plain lines and a closing line', () => {
  let now = 0;
  const { io, err } = fakeIO(false);
  const p = makeProgress(io, {}, { delayMs: 1000, lineEveryMs: 5000, now: () => now });
  // Short work: finishes before the delay, prints nothing.
  p.start(10, 'quick');
  for (let i = 1; i <= 10; i++) {
    now += 50;
    p.update(i);
  }
  p.stop();
  assert.equal(err(), '');
  // Long work: one line per 5 s at most, then a closing line.
  p.start(100, 'compare', 'units');
  for (let i = 1; i <= 100; i++) {
    now += 200; // 20 s in all
    p.update(i, `step ${i}`);
  }
  p.stop();
  const lines = err().trim().split('\n');
  assert.ok(lines.length >= 4 && lines.length <= 6, `a handful of lines, got ${lines.length}: ${err()}`);
  assert.match(lines[0]!, /^compare: \d+\/100 units; step \d+ \(\d+\.\d s, about \d+\.\d s left\)$/);
  assert.match(lines.at(-1)!, /^compare: done in 20\.\d s$/);
});

test('--quiet and --json print no progress at all', () => {
  for (const flags of [{ quiet: true }, { json: true }]) {
    let now = 0;
    const { io, err } = fakeIO(true);
    const p = makeProgress(io, flags, { now: () => now });
    p.start(5, 'x');
    for (let i = 1; i <= 5; i++) {
      now += 10_000;
      p.update(i);
    }
    p.stop();
    assert.equal(err(), '');
  }
});

test('a terminal gets a bar with ETA only once the work has run for the delay', () => {
  let now = 0;
  let err = '';
  // A minimal TTY stream as cli-progress drives it.
  const stream = {
    isTTY: true,
    columns: 120,
    write: (s: string) => ((err += s), true),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  };
  const io = { stdout: { write: () => true }, stderr: stream, cwd: '.', env: {} } as unknown as CliIO;
  const p = makeProgress(io, {}, { delayMs: 1000, now: () => now });
  p.start(4, 'cv');
  now = 500;
  p.update(1);
  assert.equal(err, '', 'nothing before the delay');
  now = 1500;
  p.update(2, 'fold 2');
  now = 3000;
  p.update(4);
  p.stop();
  assert.match(err, /cv \[/);
  assert.match(err, /ETA/);
  assert.match(err, /4\/4/);
});

test("a fit's percentage is the log-scale way from the first optimality to the tolerance", () => {
  // From 1 to 1e-6 is 6 decades: 1e-3 is half way.
  assert.ok(Math.abs(fitFraction(1, 1e-3, 1e-6) - 0.5) < 1e-12);
  assert.equal(fitFraction(1, 2, 1e-6), 0); // worse than the start: 0, not negative
  assert.equal(fitFraction(1, 1e-9, 1e-6), 0.99); // never 100 % before the fit returns
  assert.equal(fitFraction(Number.NaN, 1e-3, 1e-6), 0);
});

test('fit progress lines show the solver line and a percentage that never goes back', () => {
  let now = 0;
  const { io, err } = fakeIO(false);
  const p = makeProgress(io, {}, { delayMs: 0, lineEveryMs: 0, now: () => now });
  const on = fitProgress(p, 'fit l21', 1e-6);
  on({ detail: 'l21: fista: iteration 16, optimality 1.00e+0', iteration: 16, optimality: 1 });
  now += 10;
  on({ detail: 'l21: fista: iteration 400, optimality 1.00e-3', iteration: 400, optimality: 1e-3 });
  now += 10;
  on({ detail: 'l21: fista: iteration 420, optimality 1.00e-2', iteration: 420, optimality: 1e-2 }); // a restart bump
  now += 10;
  on({ detail: 'epoch 3/10', fraction: 0.3 }); // an engine that knows its fraction
  p.stop();
  const lines = err().trim().split('\n');
  assert.match(lines[0]!, /^fit l21: 0 %; l21: fista: iteration 16, optimality 1\.00e\+0 \(stops at 1e-6\)/);
  assert.match(lines[1]!, /^fit l21: 50 %; l21: fista: iteration 400/);
  assert.match(lines[2]!, /^fit l21: 50 %; l21: fista: iteration 420/);
  assert.match(lines[3]!, /^fit l21: 30 %; epoch 3\/10 \(/);
  assert.match(lines.at(-1)!, /^fit l21: done in /);
});

test('POLYTASK_PROGRESS_MS sets the delay and the line gap (used by the pipe test)', () => {
  let now = 0;
  let err = '';
  const io: CliIO = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s), isTTY: false }, cwd: '.', env: { POLYTASK_PROGRESS_MS: '0,100' } };
  const p = makeProgress(io, {}, { now: () => now });
  p.start(10, 'x', 'fits');
  for (let i = 1; i <= 10; i++) {
    now += 50;
    p.update(i);
  }
  p.stop();
  assert.equal(err.trim().split('\n').length, 6, err); // lines at 50, 150, 250, 350, 450 ms + the closing line
});

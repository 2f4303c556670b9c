import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProgress } from '../../src/cli/progress.ts';
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
  p.start(100, 'compare');
  for (let i = 1; i <= 100; i++) {
    now += 200; // 20 s in all
    p.update(i, `step ${i}`);
  }
  p.stop();
  const lines = err().trim().split('\n');
  assert.ok(lines.length >= 4 && lines.length <= 6, `a handful of lines, got ${lines.length}: ${err()}`);
  assert.match(lines[0]!, /^compare: \d+\/100 \(step \d+\), \d+ s$/);
  assert.match(lines.at(-1)!, /^compare: 100\/100 done in 20\.\d s$/);
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

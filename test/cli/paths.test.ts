import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OptionError } from '../../src/errors.ts';
import { canonicalPath, checkOutputsAreNotInputs } from '../../src/cli/paths.ts';
import { tempDir } from './helpers.ts';

test('canonicalPath: ./x, a/../x, absolute and symlinked paths agree; a new file through a symlinked directory too', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'd.csv'), 'x');
    symlinkSync(join(dir, 'real'), join(dir, 'alias'));
    const want = canonicalPath(dir, 'real/d.csv');
    for (const p of ['./real/d.csv', 'real/../real/d.csv', join(dir, 'real', 'd.csv'), 'alias/d.csv']) assert.equal(canonicalPath(dir, p), want, p);
    // Not yet existing: resolved through the nearest existing ancestor.
    assert.equal(canonicalPath(dir, 'alias/new.json'), canonicalPath(dir, 'real/new.json'));
    assert.notEqual(canonicalPath(dir, 'real/new.json'), want);
  } finally {
    cleanup();
  }
});

test('checkOutputsAreNotInputs: names both flags; different files and absent flags pass', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'd.csv'), 'x');
    assert.throws(
      () => checkOutputsAreNotInputs(dir, [['--data', 'd.csv']], [['--out', './d.csv']]),
      (e: unknown) => e instanceof OptionError && e.option === '--out' && /--data/.test(e.message) && /d\.csv/.test(e.message),
    );
    assert.throws(() => checkOutputsAreNotInputs(dir, [], [['--out', 'r.json'], ['--report', 'r.json']]), /--report: .*--out/);
    assert.doesNotThrow(() => checkOutputsAreNotInputs(dir, [['--data', 'd.csv'], ['--graph', undefined]], [['--out', 'm.json'], ['--report', undefined]]));
  } finally {
    cleanup();
  }
});

// Temporary files of writes killed before their rename (kill -9) are removed by the next write to
// the same destination when their process is dead; those of live processes are kept (issue 16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, removeStaleTemps, writeFileAtomic } from '../../src/cli/atomic.ts';
import { tempDir } from '../cli/helpers.ts';

/** The PID of a process that has exited (spawned and waited for). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const pid = Number(r.stdout.toString());
  assert.ok(pid > 0 && !processAlive(pid), 'the child has exited');
  return pid;
}

test('a stale temporary file of a dead process is removed on the next write; live ones, other names and other destinations are kept', () => {
  const { dir, cleanup } = tempDir();
  try {
    const dead = deadPid();
    const dest = join(dir, 'm.json');
    const stale = `.m.json.${dead}.3.tmp`;
    const live = `.m.json.${process.ppid}.1.tmp`; // the parent process is alive
    const other = `.other.json.${dead}.1.tmp`;
    for (const f of [stale, live, other, '.m.json.notapid.tmp']) writeFileSync(join(dir, f), 'partial');
    writeFileAtomic(dest, 'new\n');
    assert.equal(readFileSync(dest, 'utf8'), 'new\n');
    const left = readdirSync(dir).sort();
    assert.ok(!left.includes(stale), 'the dead process\'s temporary file is gone');
    assert.deepEqual(left, [live, '.m.json.notapid.tmp', other, 'm.json'].sort());
  } finally {
    cleanup();
  }
});

test('removeStaleTemps asks whether each PID is alive and reports what it removed', () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const f of ['.r.html.111.1.tmp', '.r.html.222.4.tmp']) writeFileSync(join(dir, f), 'x');
    const asked: number[] = [];
    const removed = removeStaleTemps(join(dir, 'r.html'), (pid) => (asked.push(pid), pid === 222));
    assert.deepEqual(removed, ['.r.html.111.1.tmp']);
    assert.deepEqual(asked.sort(), [111, 222]);
    assert.ok(existsSync(join(dir, '.r.html.222.4.tmp')));
  } finally {
    cleanup();
  }
});

test('kill -9 between writing and renaming leaves the old file and a temporary file; the next write removes it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const dest = join(dir, 'm.json');
    writeFileSync(dest, 'old\n');
    // The child writes through writeFileAtomic with a rename that never returns (it reports, then
    // blocks), so the kill lands exactly between the fsync and the rename.
    const script = `
      const { writeFileAtomic } = await import(${JSON.stringify(new URL('../../src/cli/atomic.ts', import.meta.url).href)});
      const fs = await import('node:fs');
      writeFileAtomic(${JSON.stringify(dest)}, 'new\\n', {
        openSync: fs.openSync, writeSync: (fd, d) => fs.writeSync(fd, d), fsyncSync: fs.fsyncSync, closeSync: fs.closeSync, unlinkSync: fs.unlinkSync,
        renameSync: () => { process.stdout.write('ready\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); },
      });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && res());
      child.on('exit', (code) => rej(new Error(`child exited early (${code})`)));
    });
    const exited = new Promise((res) => child.on('exit', res));
    child.kill('SIGKILL');
    await exited;
    const temps = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(temps, [`.m.json.${child.pid}.1.tmp`], 'the kill left its temporary file');
    assert.equal(readFileSync(dest, 'utf8'), 'old\n', 'the previous file is intact');
    writeFileAtomic(dest, 'next\n');
    assert.deepEqual(readdirSync(dir), ['m.json'], 'the next write removed the stale temporary file');
    assert.equal(readFileSync(dest, 'utf8'), 'next\n');
  } finally {
    cleanup();
  }
});

// Progress through a real pipe (issue 10): a long fit keeps printing plain progress lines on stderr
// while it works, they arrive while the process is still running (not buffered to the end), and
// Ctrl-C (SIGINT) stops it without leaving a model file or a temporary file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';

const school = fileURLToPath(new URL('../../../shared/data/school/school.csv', import.meta.url));
const entry = fileURLToPath(new URL('./cli-process.mjs', import.meta.url));
const skip = !existsSync(school) && 'needs ../shared/data (School)';

/** The first 3000 rows of School (20 schools): ill-conditioned like the whole, 5× cheaper per iteration. */
function schoolPart(dir: string): string {
  const p = join(dir, 'school-part.csv');
  writeFileSync(p, readFileSync(school, 'utf8').split('\n').slice(0, 3001).join('\n') + '\n');
  return p;
}

/** A fit that cannot converge (tol 1e-14) and stops at --max-iter (FISTA: the working-set default would finish L21 here in a second). */
const longFit = (data: string, maxIter: number, extra: string[] = []): string[] => ['fit', '--data', data, '--task-col', 'task', '--target', 'y', '--model', 'l21', '--lambda', '0.1', '--tol', '1e-14', '--max-iter', String(maxIter), '--solver', 'fista', ...extra];

function start(argv: string[], cwd: string) {
  // Short progress gaps so that the test needs only a few seconds of solver work.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry, ...argv], { cwd, env: { ...process.env, POLYTASK_PROGRESS_MS: '100,150' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { text: string; running: boolean }[] = [];
  let exited = false;
  let buf = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    buf += s;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push({ text: buf.slice(0, i), running: !exited });
      buf = buf.slice(i + 1);
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  return { child, lines, done };
}

test('a long fit through a pipe prints progress lines while it works: iterations and optimality', { skip, timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    // 40 000 iterations (≈ 2.5 s on a quiet machine): fistaRows (solver/fista-rows.ts) runs 10 000 in
    // 0.6 s there, which gave only 2 progress lines; the solver's ticker reports at most every ~200 ms.
    const { lines, done } = start(longFit(schoolPart(dir), 40_000), dir);
    const { code } = await done;
    assert.equal(code, 0, lines.map((l) => l.text).join('\n'));
    const progress = lines.filter((l) => /^fit l21: \d+ %; fista: iteration \d+, optimality /.test(l.text));
    assert.ok(progress.length >= 3, `at least 3 progress lines, got:\n${lines.map((l) => l.text).join('\n')}`);
    // The lines come while the fit runs (streamed, not flushed at exit), with growing iteration counts.
    assert.ok(progress.every((l) => l.running));
    const iters = progress.map((l) => Number(/iteration (\d+)/.exec(l.text)![1]));
    for (let k = 1; k < iters.length; k++) assert.ok(iters[k]! > iters[k - 1]!, `iterations grow: ${iters}`);
    assert.ok(lines.some((l) => /^fit l21: done in /.test(l.text)));
    // And the cap is reported, with the optimality reached.
    assert.ok(lines.some((l) => /stopped at the iteration cap without converging \(optimality /.test(l.text)));
  } finally {
    cleanup();
  }
});

// (--quiet and --json silence progress: test/cli/progress.test.ts checks makeProgress in-process.)

test('Ctrl-C stops a running fit at once and leaves no model file and no temporary file', { skip, timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const data = schoolPart(dir);
    const { child, lines, done } = start(longFit(data, 200_000, ['--out', 'm.json']), dir);
    // Wait for the first progress line: the solver is running.
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (lines.some((l) => l.text.startsWith('fit l21: '))) {
          clearInterval(t);
          resolve();
        }
      }, 50);
      child.on('exit', () => {
        clearInterval(t);
        reject(new Error(`exited before any progress: ${lines.map((l) => l.text).join('\n')}`));
      });
    });
    child.kill('SIGINT');
    const { code, signal } = await done;
    assert.ok(signal === 'SIGINT' || code === 130, `stopped by the interrupt (code ${code}, signal ${signal})`);
    assert.deepEqual(readdirSync(dir), ['school-part.csv'], 'nothing written');
  } finally {
    cleanup();
  }
});

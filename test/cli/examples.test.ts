// Every example of `--help` and of docs/cli.md runs on the data shipped in ../shared/data (issue 10:
// the `inspect --help` example named columns USPS does not have). The examples run in-process, in
// order, in one temporary directory holding links to the shipped files (so that `predict` finds the
// model file an earlier `fit` example wrote), each with tiny solver and CV settings appended —
// later flags win in commander — so that the whole file takes seconds: what is checked is that the
// example's flags, files and columns are right, not the quality of a fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.ts';
import { run } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { AbortError } from '../../src/errors.ts';
import { hasFashionMnist } from '../../src/nn/data/fashion-mnist.ts';

const data = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const shipped: Record<string, string> = {
  'school.csv': 'school/school.csv',
  'school_splits.csv': 'school/school_splits.csv',
  'school.mat': 'school/school.mat',
  'landmine.csv': 'landmine/landmine.csv',
  'usps.csv': 'usps/usps.csv',
};
const skip = !Object.values(shipped).every((f) => existsSync(join(data, f))) && 'needs ../shared/data (School, Landmine, USPS)';
const COMMANDS = ['inspect', 'fit', 'predict', 'cv', 'compare', 'report', 'demo', 'train', 'affinity', 'group', 'make-data'];
// make-data multifashion (and the examples reading its file) need Fashion-MNIST (Debian's dataset-fashion-mnist).
const fashion = hasFashionMnist('train');

/** `$ polytask …` lines of a help text, without trailing comments. */
function helpExamples(help: string): string[][] {
  return help
    .split('\n')
    .map((l) => /^\s*\$ polytask (.*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined)
    .map((l) => l.replace(/\s+#.*$/, '').trim().split(/\s+/));
}

/** Command lines in docs/cli.md's code blocks (continuations joined), synopses (`<command>`, `[--flag]`) left out. */
function docExamples(md: string): string[][] {
  const out: string[][] = [];
  let inBlock = false;
  let pending = '';
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock) continue;
    const l = pending ? `${pending} ${line.trim()}` : line.trim();
    if (l.endsWith('\\')) {
      pending = l.slice(0, -1).trim();
      continue;
    }
    pending = '';
    const m = /^polytask (.*)$/.exec(l.replace(/\s+#.*$/, ''));
    if (!m || /[<[]/.test(m[1]!) || /^--(help|version)$|--help$/.test(m[1]!.trim())) continue;
    out.push(m[1]!.trim().split(/\s+/));
  }
  return out;
}

/** The example with tiny settings appended (later flags override earlier ones). */
function tiny(argv: readonly string[]): string[] {
  const has = (f: string): boolean => argv.includes(f);
  switch (argv[0]) {
    case 'fit':
      return [...argv, '--max-iter', '5'];
    case 'cv':
      return [...argv, '--max-iter', '5', '--folds', '2', ...(has('--grid') ? [] : ['--grid-points', '2']), ...(has('--nested') ? ['--nested', '2'] : [])];
    case 'compare':
      return [...argv, '--max-iter', '5', '--folds', '2', '--grid-points', '2', '--workers', '1', ...(has('--splits-file') ? ['--split-cols', 'split1,split2'] : ['--splits', '2'])];
    case 'train':
      return [...argv, '--epochs', '1', ...(has('--checkpoint') && !has('--resume') ? ['--checkpoint-every', '1'] : []), '--hidden', '8', ...(has('--experts') ? ['--experts', '2'] : [])];
    case 'affinity':
      // a neural model's affinity comes from one short training run; a fitted model's from fits
      return has('--epochs') ? [...argv, '--epochs', '1', '--hidden', '8'] : [...argv, '--max-iter', '5', '--folds', '2'];
    case 'group':
      return [...argv, '--max-iter', '5', '--folds', '2', '--splits', '2', '--cv-folds', '2'];
    case 'make-data':
      return [...argv, '--n', '60'];
    default:
      return [...argv];
  }
}

/** Runs the CLI in-process. `stopAtWork`: end the run at its first progress line (the example got
 * past every check of its flags, files and columns and is computing) by throwing an AbortError from
 * the stderr write — the way Ctrl-C would end it, which CV and compare pass through. */
async function runExample(argv: readonly string[], cwd: string, stopAtWork: boolean): Promise<{ code: number; stdout: string; stderr: string; stopped: boolean }> {
  let stdout = '';
  let stderr = '';
  let stopped = false;
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: {
      write: (s: string) => {
        stderr += s;
        if (stopAtWork && !stopped && /^(fit [^:]+|cv [^:]+|nested cv [^:]+|compare|affinity [^:]+|train[^:]*): /.test(s)) {
          stopped = true;
          throw new AbortError('examples test: stopped at the first progress line');
        }
        return true;
      },
      isTTY: false,
    },
    cwd,
    env: { POLYTASK_PROGRESS_MS: '0,0' },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, stopped };
}

/** The value of a flag in an example. */
const flagValue = (argv: readonly string[], f: string): string | undefined => {
  const k = argv.indexOf(f);
  return k >= 0 ? argv[k + 1] : undefined;
};

/** Commands that write a file another example reads run first. */
const ORDER = ['make-data', 'inspect', 'fit', 'cv', 'compare', 'predict', 'train', 'affinity', 'group', 'report'];

test('every example of --help and docs/cli.md runs on the shipped data', { skip, timeout: 300_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const [name, rel] of Object.entries(shipped)) symlinkSync(join(data, rel), join(dir, name));
    // The graph example's edge list, exactly as docs/cli.md shows it.
    writeFileSync(join(dir, 'edges.csv'), 'from,to\n0,1\n1,2\n2,3\n');
    const examples: { argv: string[]; from: string }[] = [];
    const top = await cli(['--help'], dir);
    for (const argv of helpExamples(top.stdout)) examples.push({ argv, from: 'polytask --help' });
    for (const c of COMMANDS) {
      const h = await cli([c, '--help'], dir);
      assert.equal(h.code, 0);
      const ex = helpExamples(h.stdout);
      assert.ok(ex.length > 0, `${c} --help has examples`);
      for (const argv of ex) examples.push({ argv, from: `${c} --help` });
    }
    const md = readFileSync(fileURLToPath(new URL('../../docs/cli.md', import.meta.url)), 'utf8');
    for (const argv of docExamples(md)) examples.push({ argv, from: 'docs/cli.md' });
    assert.ok(examples.length >= 25, `found ${examples.length} examples`);
    // The demo is the one example without data; test/cli/demo.test.ts runs it.
    const runnable = examples.filter((e) => e.argv[0] !== 'demo' && (fashion || !(e.argv.includes('multifashion') || e.argv.includes('multifashion.csv'))));
    assert.ok(runnable.every((e) => ORDER.includes(e.argv[0]!)), `known commands: ${[...new Set(runnable.map((e) => e.argv[0]))]}`);
    runnable.sort((a, b) => ORDER.indexOf(a.argv[0]!) - ORDER.indexOf(b.argv[0]!));
    // The files examples read (model files, saved results): an example that writes one that does
    // not exist yet runs to the end; every other example stops once it is computing.
    const inputs = new Set(runnable.flatMap((e) => [flagValue(e.argv, '--from'), e.argv[0] === 'predict' || e.argv[0] === 'report' ? flagValue(e.argv, '--model') : undefined, e.argv[0] === 'report' ? flagValue(e.argv, '--group') : undefined, e.argv.includes('--resume') ? flagValue(e.argv, '--checkpoint') : undefined]).filter((f): f is string => f !== undefined));
    const produces = (argv: readonly string[]): boolean => {
      const written = [flagValue(argv, '--out'), argv.includes('--resume') ? undefined : flagValue(argv, '--checkpoint')];
      return written.some((o) => o !== undefined && inputs.has(o) && !existsSync(join(dir, o)));
    };
    // Help and docs repeat some examples: each distinct command line runs once.
    const seen = new Set<string>();
    let stoppedCount = 0;
    for (const e of runnable) {
      if (seen.has(e.argv.join(' '))) continue;
      seen.add(e.argv.join(' '));
      const r = await runExample(tiny(e.argv), dir, !produces(e.argv));
      const what = `${e.from}: polytask ${e.argv.join(' ')}\n${r.stderr}`;
      if (r.stopped) {
        // Stopped by the test while computing: nothing else may have gone wrong before.
        stoppedCount++;
        assert.doesNotMatch(r.stderr.replace(/polytask: .*stopped at the first progress line.*\n?/, ''), /^polytask: /m, what);
        continue;
      }
      assert.equal(r.code, 0, what);
      if (e.argv.includes('--json')) assert.doesNotThrow(() => JSON.parse(r.stdout), `${e.from}: --json prints JSON`);
      for (const f of ['--out', '--report']) {
        const k = e.argv.indexOf(f);
        if (k >= 0) assert.ok(existsSync(join(dir, e.argv[k + 1]!)), `${e.from}: ${e.argv.join(' ')} wrote ${e.argv[k + 1]}`);
      }
    }
    assert.ok(stoppedCount < runnable.length, 'some examples ran to the end');
  } finally {
    cleanup();
  }
});

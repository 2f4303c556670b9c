// Maps whatever a command throws to one stderr line and an exit code (documented in docs/cli.md):
//   0  success
//   1  data or file problem (ParseError, DataError, ModelFileError, unknown task, feature mismatch,
//      unreadable file, numeric failure, a part of polytask that is not available yet)
//   2  usage: unknown command or flag, missing or malformed option value (commander, OptionError)
//   70 internal error (a bug): one line plus a hint to rerun with --verbose (EX_SOFTWARE, sysexits.h)
import { allModels } from '../estimator/registry.ts';
import { OptionError, PolytaskError } from '../errors.ts';
import type { CliIO } from './io.ts';

export const EXIT_OK = 0;
export const EXIT_DATA = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** Commander's own error object, recognised structurally (it is not exported as a type we rely on). */
export interface CommanderLikeError {
  readonly code: string;
  readonly exitCode: number;
  readonly message: string;
}

export function isCommanderError(e: unknown): e is CommanderLikeError {
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (e as unknown as { code: string }).code.startsWith('commander.') &&
    typeof (e as { exitCode?: unknown }).exitCode === 'number'
  );
}

/** Node's file-system errors carry `code` (ENOENT, EACCES, ...) and `path`. */
function fsError(e: unknown): { code: string; path?: string; syscall?: string } | null {
  if (!(e instanceof Error)) return null;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return null;
  const path = (e as { path?: unknown }).path;
  const syscall = (e as { syscall?: unknown }).syscall;
  return { code, ...(typeof path === 'string' ? { path } : {}), ...(typeof syscall === 'string' ? { syscall } : {}) };
}

const FS_WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** One line, no trailing period games: commander prefixes "error: " and may add a second line of suggestions. */
export function oneLine(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .join(' ');
}

/**
 * Library options that the CLI sets from a flag: an OptionError about `maxIter` is reported as one
 * about `--max-iter`, so that the user sees the name they typed.
 */
const OPTION_FLAGS: Readonly<Record<string, string>> = {
  lambda: '--lambda',
  lambda2: '--lambda2',
  ridge: '--ridge',
  clusters: '--clusters',
  graph: '--graph',
  loss: '--loss',
  scale: '--scale',
  intercept: '--no-intercept',
  tol: '--tol',
  maxIter: '--max-iter',
  seed: '--seed',
  standardize: '--standardize',
  model: '--model',
  models: '--models',
  testRatio: '--test-ratio',
  splits: '--splits',
  alpha: '--alpha',
  folds: '--folds',
  grid: '--grid',
  taskCol: '--task-col',
  target: '--target',
  targets: '--targets',
  features: '--features',
  skip: '--skip',
  oneVsRest: '--one-vs-rest',
};

/** The CLI flag of a model's declared option (--rho1, --lambda-p, ...). */
function declaredFlag(option: string): string | undefined {
  for (const m of allModels()) for (const p of m.params) if (p.name === option) return p.flag;
  return undefined;
}

export function flagMessage(e: OptionError): string {
  const flag = OPTION_FLAGS[e.option] ?? declaredFlag(e.option);
  return flag && e.message.startsWith(`${e.option}: `) ? `${flag}: ${e.message.slice(e.option.length + 2)}` : e.message;
}

/** Reports the error on stderr and returns the exit code. */
export function reportError(io: CliIO, e: unknown, verbose: boolean): number {
  const stack = (): void => {
    if (verbose && e instanceof Error && e.stack) io.stderr.write(e.stack + '\n');
  };
  if (isCommanderError(e)) {
    io.stderr.write(`polytask: ${oneLine(e.message)}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof PolytaskError) {
    io.stderr.write(`polytask: ${oneLine(e instanceof OptionError ? flagMessage(e) : e.message)}\n`);
    stack();
    return e.code === 'OPTION' ? EXIT_USAGE : EXIT_DATA;
  }
  const fe = fsError(e);
  if (fe) {
    const what = FS_WORDS[fe.code] ?? fe.code;
    io.stderr.write(`polytask: ${fe.path ?? 'file'}: ${what}\n`);
    stack();
    return EXIT_DATA;
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  io.stderr.write(`polytask: internal error: ${oneLine(msg)}${verbose ? '' : ' (rerun with --verbose for the stack trace, and please report it)'}\n`);
  stack();
  return EXIT_INTERNAL;
}

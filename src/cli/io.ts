// The CLI's view of the outside world, injectable so that tests run commands in-process and read
// exactly what a user would see. `run(argv)` in main.ts uses the real process streams by default.
import { readFileSync } from 'node:fs';
import { PolytaskError } from '../errors.ts';

/** The part of a writable stream the CLI uses. */
export interface OutStream {
  write(chunk: string): unknown;
  /** True when attached to a terminal (progress bars only then). */
  readonly isTTY?: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
}

export interface CliIO {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** Directory that relative paths are resolved against. */
  readonly cwd: string;
  /** Environment (CI, NO_COLOR, ...); defaults to process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

let pipeGuard = false;

export function processIO(): CliIO {
  if (!pipeGuard) {
    // `polytask … | head`: when the reader goes away, stop quietly as Unix tools do, instead of an
    // unhandled EPIPE stack trace.
    pipeGuard = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/** Flags every command understands that govern output, not maths. */
export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** Writes a line to stdout. */
export function out(io: CliIO, line = ''): void {
  io.stdout.write(line + '\n');
}

/** Writes an informational line to stderr unless --quiet or --json (which keep stdout/stderr clean for machines). */
export function info(io: CliIO, flags: OutputFlags, line: string): void {
  if (flags.quiet || flags.json) return;
  io.stderr.write(line + '\n');
}

/**
 * A file named on the command line, as UTF-8 text; `shown` is the path as the user typed it, so that an
 * unreadable file gives "FILE: no such file" or "FILE: cannot read (EACCES)" (code IO), not a stack trace.
 */
export function readUserFile(path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new PolytaskError('IO', `${shown}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`}`);
  }
}

// `polytask` — the command-line interface. bin/polytask.mjs calls run(process.argv.slice(2)); tests
// call run(argv, io) with captured streams. Parsing is commander's (v12); each sub-command lives in
// its own file and only parses, calls the library and prints — no maths here.
// Exit codes are documented in exit.ts and docs/cli.md.
import { Command } from 'commander';
import '../engines.ts';
import * as backend from '../linalg/backend.ts';
import { VERSION } from '../version.ts';
import { registerAffinity } from './affinity.ts';
import { registerCompare } from './compare.ts';
import { registerCv } from './cv.ts';
import { registerDemo } from './demo.ts';
import { EXIT_OK, EXIT_USAGE, isCommanderError, reportError } from './exit.ts';
import { registerFit } from './fit.ts';
import { registerGroup } from './group.ts';
import { registerInspect } from './inspect.ts';
import { registerMakeData } from './make-data.ts';
import { processIO, type CliIO } from './io.ts';
import { registerPredict } from './predict.ts';
import { registerReport } from './report.ts';
import { registerTrain } from './train.ts';

/** "kernel backend: native; native avx512 kernels, 2 threads (...)" or why native is not used. */
export function backendLine(): string {
  const info = backend.backendInfo();
  return `kernel backend: ${info.name}; ${info.reason}`;
}

/** True when polytask fell back to the plain TypeScript kernels without being asked to: the one
 * fallback that costs a user an order of magnitude, so it is said on every run (one line). The
 * native → WebAssembly fallback is said by --version and --verbose only (WebAssembly is the
 * portable default; most installs never build the addon). */
export function slowFallback(env: Readonly<Record<string, string | undefined>>): boolean {
  return backend.backendName() === 'ts' && (env[backend.BACKEND_ENV] ?? '').trim().toLowerCase() !== 'ts';
}

/** "polytask 0.1.0 (kernel backend: wasm; <why>)". */
export function versionLine(): string {
  return `polytask ${VERSION} (${backendLine()})`;
}

export function buildProgram(io: CliIO): Command {
  const program = new Command('polytask');
  program
    .description('Multi-task learning: fit, compare and report regularised linear MTL models against single-task learning.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // Errors are printed once, as one line, by reportError().
      outputError: () => {},
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    })
    .showSuggestionAfterError(true)
    // A stray word (e.g. a file name without its flag) is an error, not silently ignored.
    .allowExcessArguments(false)
    .helpCommand(true)
    .version(versionLine(), '-V, --version', 'print the version and the kernel backend')
    .addHelpText(
      'after',
      `
Start here:
  $ polytask demo                      # synthetic problem, compare models, write polytask-report.html
  $ polytask inspect --data school.csv --task-col task --target y
  $ polytask compare --data school.csv --task-col task --target y --report report.html

Exit codes: 0 success, 1 data or file problem, 2 usage error, 70 internal error.
See docs/cli.md for every command and flag.`,
    );
  registerDemo(program, io);
  registerInspect(program, io);
  registerFit(program, io);
  registerPredict(program, io);
  registerCv(program, io);
  registerCompare(program, io);
  registerReport(program, io);
  registerTrain(program, io);
  registerAffinity(program, io);
  registerGroup(program, io);
  registerMakeData(program, io);
  return program;
}

/** Runs the CLI; returns the exit code (never calls process.exit). */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const verbose = argv.includes('--verbose');
  let program: Command | undefined;
  try {
    // Which kernels run, and why (e.g. "wasm — native addon not built (...)"): one line on stderr.
    if (verbose) io.stderr.write(`polytask: ${backendLine()}\n`);
    else if (slowFallback(io.env)) io.stderr.write(`polytask: warning: ${backendLine()} (20–45× slower than WebAssembly)\n`);
    program = buildProgram(io);
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (isCommanderError(e)) {
      // "too many arguments for 'fit'" does not say which word was stray (often a file name
      // without its flag): name it, as the user typed it.
      if (e.code === 'commander.excessArguments' && program) {
        const cmd = program.commands.find((c) => c.args.length > 0);
        if (cmd) {
          io.stderr.write(`polytask: too many arguments for '${cmd.name()}': unexpected ${cmd.args.map((a) => `"${a}"`).join(', ')}; every value needs its flag (e.g. --data FILE)\n`);
          return EXIT_USAGE;
        }
      }
      // --help and --version end parsing through an "error" with exit code 0.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
      // No sub-command: commander has printed the help on stderr; that is a usage error.
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return EXIT_USAGE;
    }
    return reportError(io, e, verbose);
  }
}

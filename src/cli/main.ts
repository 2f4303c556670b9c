// `polytask` — the command-line interface. bin/polytask.mjs calls run(process.argv.slice(2)); tests
// call run(argv, io) with captured streams. Parsing is commander's (v12); each sub-command lives in
// its own file and only parses, calls the library and prints — no maths here.
// Exit codes are documented in exit.ts and docs/cli.md.
//
// Start-up (issue 10: ≤ 0.3 s CPU to the first solver iteration): a run imports only the module of
// the sub-command it runs, and the engines by their descriptors (src/engine-descriptors.ts); a
// command that may run any model loads every engine, `fit` only its model's. `bench/startup.bench.ts`
// measures it.
import { Command } from 'commander';
import { registerShippedEngines } from '../engine-descriptors.ts';
import { loadAllEngines } from '../estimator/registry.ts';
import * as backend from '../linalg/backend.ts';
import { VERSION } from '../version.ts';
import { EXIT_OK, EXIT_USAGE, isCommanderError, reportError } from './exit.ts';
import { processIO, type CliIO } from './io.ts';

type Register = (program: Command, io: CliIO) => void;

/** The sub-commands in `--help` order: the module that registers each, and whether it needs every
 * engine loaded before it runs ('all': it may run any model or load any model file) or loads what it
 * uses itself ('own': fit loads its model's engine, inspect needs none). */
export const COMMANDS: readonly { readonly name: string; readonly engines: 'all' | 'own'; load(): Promise<Register> }[] = [
  { name: 'demo', engines: 'all', load: async () => (await import('./demo.ts')).registerDemo },
  { name: 'inspect', engines: 'own', load: async () => (await import('./inspect.ts')).registerInspect },
  { name: 'fit', engines: 'own', load: async () => (await import('./fit.ts')).registerFit },
  { name: 'predict', engines: 'all', load: async () => (await import('./predict.ts')).registerPredict },
  { name: 'cv', engines: 'all', load: async () => (await import('./cv.ts')).registerCv },
  { name: 'compare', engines: 'all', load: async () => (await import('./compare.ts')).registerCompare },
  { name: 'report', engines: 'all', load: async () => (await import('./report.ts')).registerReport },
  { name: 'train', engines: 'all', load: async () => (await import('./train.ts')).registerTrain },
  { name: 'affinity', engines: 'all', load: async () => (await import('./affinity.ts')).registerAffinity },
  { name: 'group', engines: 'all', load: async () => (await import('./group.ts')).registerGroup },
  { name: 'make-data', engines: 'own', load: async () => (await import('./make-data.ts')).registerMakeData },
];

/** The sub-command an argument list runs: its first word (the program itself takes no option with a
 * value), or the word after `help`; undefined for `--help`, `--version`, nothing or an unknown word
 * (then every command is registered, for the full help and "did you mean" suggestions). */
export function commandOf(argv: readonly string[]): (typeof COMMANDS)[number] | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}

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

/** The program with the given sub-commands registered (all of them by default). */
export async function buildProgram(io: CliIO, commands: readonly (typeof COMMANDS)[number][] = COMMANDS): Promise<Command> {
  const program = new Command('polytask');
  program
    .description('Multi-task learning: fit, train, compare and report linear and neural multi-task models against single-task learning.')
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
  if (commands.length === 0) return program;
  await registerShippedEngines();
  const registers = await Promise.all(commands.map((c) => c.load()));
  for (const register of registers) register(program, io);
  // The one command that runs may need every engine (the full help needs declarations only).
  if (commands.length === 1 && commands[0]!.engines === 'all') await loadAllEngines();
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
    const only = commandOf(argv);
    // --version needs no command at all.
    const versionOnly = !only && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
    program = await buildProgram(io, only ? [only] : versionOnly ? [] : COMMANDS);
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

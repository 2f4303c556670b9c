// Runs the CLI from the sources as a real process (tests spawn it with `node --import tsx`), so that
// stdout/stderr are real pipes and signals reach a real process.
const { run } = await import('../../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));

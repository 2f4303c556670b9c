// Child of bench/linear.bench.ts (BENCH_PART=cvpath): runs the CLI of the checkout given as the first
// argument (its src/ through tsx), with the remaining arguments, so that two checkouts (a base commit
// and this one) run the same `polytask cv` command side by side.
const [dir, ...args] = process.argv.slice(2);
const { run } = await import(`${dir}/src/cli/main.ts`);
process.exitCode = await run(args);

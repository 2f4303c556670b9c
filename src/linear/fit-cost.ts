// Seconds per fit of each linear model: base + perValue·(Σ_t n_t·d), the cost model of compare's
// `workers: 'auto'` (ModelDecl.estimateSeconds). PROVISIONAL until bench/fit-cost.bench.ts rewrites
// this file from a measurement.
export const FIT_COST: Readonly<Record<string, { readonly base: number; readonly perValue: number }>> = {};

export const FIT_COST_DEFAULT = { base: 0.005, perValue: 1.2e-7 } as const;

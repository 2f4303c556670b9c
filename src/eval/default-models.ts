// The models `compare` runs when none are named (kept apart from compare.ts so that the CLI's
// option handling can name them without loading the evaluation code).
export const DEFAULT_MODELS = ['stl', 'pooled', 'mean', 'chain', 'l21', 'trace', 'cmtl', 'mtrl'] as const;

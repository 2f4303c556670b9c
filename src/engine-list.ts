// The names of the engines src/engines.ts registers (kept apart from it so that modules can know
// which engines worker threads will have without importing them all). An engine added to
// src/engines.ts adds its name here.
export const SHIPPED_ENGINES: readonly string[] = ['linear'];

// Engine-neutral handling of declared hyper-parameters (contract.ts ParamDecl): validation at
// construction, defaults, the CLI flag of an option, and the CV grid of a tunable parameter. Every
// engine validates its options with validateOptions, so a bad option fails the same way, with the
// option's name and its flag, whatever the engine.
import { OptionError } from '../errors.ts';
import type { OptionValue, Options, ParamDecl } from './contract.ts';

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function fail(p: ParamDecl, model: string, msg: string): never {
  throw new OptionError(p.name, `${msg} (${model}: ${p.flag}; ${p.help})`);
}

function checkNumber(p: ParamDecl, model: string, v: unknown, integer: boolean): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, model, `must be a finite ${integer ? 'whole number' : 'number'}, got ${describe(v)}`);
  if (integer && !Number.isInteger(v)) fail(p, model, `must be a whole number, got ${describe(v)}`);
  const n = v as number;
  if (p.min !== undefined && (p.exclusiveMin ? !(n > p.min) : !(n >= p.min))) fail(p, model, `must be ${p.exclusiveMin ? '>' : '≥'} ${p.min}, got ${n}`);
  if (p.max !== undefined && !(n <= p.max)) fail(p, model, `must be ≤ ${p.max}, got ${n}`);
}

/** Checks one option value against its declaration; throws OptionError naming the option and flag. */
export function checkOption(p: ParamDecl, model: string, v: unknown): void {
  switch (p.type) {
    case 'number':
      return checkNumber(p, model, v, false);
    case 'integer':
      return checkNumber(p, model, v, true);
    case 'boolean':
      if (typeof v !== 'boolean') fail(p, model, `must be true or false, got ${describe(v)}`);
      return;
    case 'enum':
      if (typeof v !== 'string' || !(p.choices ?? []).includes(v)) fail(p, model, `must be one of ${(p.choices ?? []).map((c) => `"${c}"`).join(', ')}, got ${describe(v)}`);
      return;
    case 'string':
      if (typeof v !== 'string') fail(p, model, `must be a string, got ${describe(v)}`);
      return;
    case 'number-list':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(p, model, `must be a list of finite numbers, got ${describe(v)}`);
      for (const x of v as number[]) checkNumber(p, model, x, false);
      return;
    case 'json':
      if (v === null || typeof v !== 'object') fail(p, model, `must be a JSON object or array, got ${describe(v)}`);
      return;
  }
}

/**
 * Validates every option against the model's declarations: unknown names, wrong types and values
 * out of range throw an OptionError naming the option and its flag. Data-dependent checks (e.g.
 * cmtl's clusters ≤ number of tasks) are left to fit, which has the data.
 */
export function validateOptions(params: readonly ParamDecl[], model: string, options: Options): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new OptionError('options', `${model}: options must be an object, got ${describe(options)}`);
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const [key, v] of Object.entries(options)) {
    if (v === undefined) continue;
    const p = byName.get(key);
    if (!p) throw new OptionError(key, `model "${model}" has no option "${key}" (its options: ${params.map((q) => q.name).join(', ')})`);
    checkOption(p, model, v);
  }
}

/** The options with every declared default filled in (undefined never overrides a default). */
export function withDefaults(params: readonly ParamDecl[], options: Options): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const p of params) if (p.default !== undefined) out[p.name] = p.default;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out;
}

/** The parameters CV tunes by default (declared with `tune`). */
export function tunableParams(params: readonly ParamDecl[]): ParamDecl[] {
  return params.filter((p) => p.tune !== undefined);
}

/** camelCase option name → kebab-case flag ('lambdaP' → '--lambda-p'). */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** One `--help` line per parameter: flag, type/range, default and help. */
export function helpLines(params: readonly ParamDecl[]): string[] {
  return params.map((p) => {
    const range = p.choices ? p.choices.join('|') : p.type === 'number' || p.type === 'integer' ? `${p.type}${p.min !== undefined ? ` ${p.exclusiveMin ? '>' : '≥'} ${p.min}` : ''}${p.max !== undefined ? `, ≤ ${p.max}` : ''}` : p.type;
    const dflt = p.default !== undefined ? ` (default ${describe(p.default)})` : '';
    const tuned = p.tune ? ' [tuned by CV]' : '';
    return `  ${p.flag.padEnd(22)} ${p.help}; ${range}${dflt}${tuned}`;
  });
}

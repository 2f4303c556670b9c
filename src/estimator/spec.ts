// Model specs: a registered model name, optionally followed by a task-balancing method after a
// colon — `hps:pcgrad`, `mmoe:nash`, `hps:uw` (issue 12: "compare --models hps:ew,hps:pcgrad,
// hps:upgrad,mmoe:nash compares methods"). The method is a loss weighting or a gradient aggregator
// the model declares among the choices of its `weighting` / `aggregator` options (src/balance,
// the neural engine's declarations), so the spec is nothing but a name for the model with that
// option fixed: it is what compare's table, JSON and report call the row, and the option it fixes
// is stored with every other in the model's options (model files).
import { OptionError } from '../errors.ts';
import type { ModelDecl, Options } from './contract.ts';
import { getModel } from './registry.ts';

/** Short names of the literature for methods the engine spells in full. */
const ALIASES: Readonly<Record<string, string>> = { nash: 'nash-mtl', imtl: 'imtl-g', aligned: 'aligned-mtl', dbmtl: 'db-mtl' };

export interface ParsedModelSpec {
  /** The spec as written (the row's name): 'hps:pcgrad'. */
  readonly spec: string;
  /** The registered model: 'hps'. */
  readonly model: string;
  readonly decl: ModelDecl;
  /** The options the spec fixes ({} without a method; { aggregator: 'pcgrad' }, { weighting: 'uw' }). */
  readonly options: Options;
}

/** The choices a model declares for one of its enum options (none when it does not declare it). */
function choices(decl: ModelDecl, name: string): readonly string[] {
  return (decl.params.find((p) => p.name === name)?.choices ?? []).filter((c) => c !== 'none');
}

/**
 * Parses 'model' or 'model:method'. Errors (OptionError on `flag`) name the spec: an unknown model,
 * a model that takes no balancing method (the linear engine's), an unknown method (listing the
 * model's weightings and aggregators).
 */
export function parseModelSpec(spec: string, flag = '--models'): ParsedModelSpec {
  const parts = spec.split(':');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) throw new OptionError(flag, `"${spec}": a model spec is a model name, optionally followed by one balancing method after a colon (e.g. hps:pcgrad)`);
  const model = parts[0]!.trim();
  let decl: ModelDecl;
  try {
    decl = getModel(model);
  } catch (e) {
    if (e instanceof OptionError) throw new OptionError(flag, `"${spec}": ${e.message.replace(/^model: /, '')}`);
    throw e;
  }
  if (parts.length === 1) return { spec, model, decl, options: {} };
  const raw = parts[1]!.trim();
  const method = ALIASES[raw] ?? raw;
  const weightings = choices(decl, 'weighting');
  const aggregators = choices(decl, 'aggregator');
  if (weightings.length === 0 && aggregators.length === 0) {
    throw new OptionError(flag, `"${spec}": model "${model}" (${decl.engine} engine) takes no task-balancing method; a method after the colon is for the neural models (e.g. hps:pcgrad, mmoe:nash)`);
  }
  // An aggregator combines the per-task gradients of the shared parameters; a weighting only sets
  // the loss weights. A name that is both (none today) would be taken as the aggregator.
  if (aggregators.includes(method)) return { spec, model, decl, options: { aggregator: method } };
  if (weightings.includes(method)) return { spec, model, decl, options: { weighting: method } };
  throw new OptionError(flag, `"${spec}": unknown balancing method "${raw}" for model "${model}" (loss weightings: ${weightings.join(', ')}; gradient aggregators: ${aggregators.join(', ')}${Object.keys(ALIASES).length ? `; short names: ${Object.entries(ALIASES).map(([a, b]) => `${a} = ${b}`).join(', ')}` : ''})`);
}

/** The spec's model with its method fixed on top of the given options (the spec wins over a global
 * --weighting / --aggregator given to every model). */
export function specOptions(s: ParsedModelSpec, options: Options): Options {
  return { ...options, ...s.options };
}

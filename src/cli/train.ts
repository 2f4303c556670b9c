// `polytask train`: trains one neural multi-task architecture (src/nn/arch) with the engine's
// trainer, printing one line per epoch (or a progress bar), writing the per-epoch JSON-lines log,
// checkpoints every N epochs and a model file; `--resume` continues a checkpointed run bit-identically.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { OptionError } from '../errors.ts';
import { modelInfo } from '../estimator/registry.ts';
import { parseModelSpec } from '../estimator/spec.ts';
import { makeNeuralEstimator, NN_MODELS } from '../nn/estimator.ts';
import { jsonLinesLogger } from '../nn/train/log.ts';
import type { EpochRecord } from '../nn/train/types.ts';
import type { Options } from '../estimator/contract.ts';
import { writeFileAtomic } from './atomic.ts';
import { dataColumns, loadData, type MatFlags } from './data-load.ts';
import { didYouMean } from './suggest.ts';
import { num, seconds } from './format.ts';
import { info, out, type CliIO } from './io.ts';
import { writeModelFile } from './model-file.ts';
import { addDataFlags, addOutputFlags, parseNonNegative, parsePositive, parsePositiveInt, parseSeed, type CommonFlags, type DataFlags } from './options.ts';
import { makeProgress } from './progress.ts';

interface TrainFlags extends DataFlags, MatFlags, CommonFlags {
  arch?: string;
  hidden?: number[];
  headHidden?: number[];
  activation?: string;
  experts?: number;
  sharedExperts?: number;
  taskExperts?: number;
  k?: number;
  gamma?: number;
  gammaEnd?: number;
  entropyReg?: number;
  gate?: string;
  distinctReg?: number;
  alphaSelf?: number;
  mixScale?: number;
  embedding?: number;
  towerHidden?: number[];
  ctrTask?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: string;
  momentum?: number;
  weightDecay?: number;
  clipNorm?: number;
  lrSchedule?: string;
  lrStepEpochs?: number;
  lrGamma?: number;
  warmupEpochs?: number;
  valRatio?: number;
  patience?: number;
  seed?: number;
  weighting?: string;
  aggregator?: string;
  gradMode?: string;
  cagradC?: number;
  nashMaxNorm?: number;
  fairgradAlpha?: number;
  gradnormAlpha?: number;
  logConflictEvery?: number;
  log?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: boolean;
}

/** The choices a neural option declares (for --help). */
function choicesOf(name: string): string {
  return modelInfo('hps').params.find((p) => p.name === name)?.choices?.join(', ') ?? '';
}

function parseWidths(raw: string): number[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((s) => parsePositiveInt(s));
}

/** The flags as estimator options (only the ones given, so the model's defaults apply otherwise). */
export function trainOptions(f: TrainFlags): Options {
  const o: Record<string, Options[string]> = {};
  const keys = ['hidden', 'headHidden', 'activation', 'experts', 'sharedExperts', 'taskExperts', 'k', 'gamma', 'gammaEnd', 'entropyReg', 'gate', 'distinctReg', 'alphaSelf', 'mixScale', 'embedding', 'towerHidden', 'ctrTask', 'epochs', 'batchSize', 'lr', 'optimizer', 'momentum', 'weightDecay', 'clipNorm', 'lrSchedule', 'lrStepEpochs', 'lrGamma', 'warmupEpochs', 'valRatio', 'patience', 'seed', 'weighting', 'aggregator', 'gradMode', 'cagradC', 'nashMaxNorm', 'fairgradAlpha', 'gradnormAlpha', 'logConflictEvery'] as const;
  for (const k of keys) if (f[k] !== undefined) o[k] = f[k];
  return o;
}

function epochLine(r: EpochRecord, total: number, tasks: readonly string[]): string {
  const mean = (xs: readonly number[]): number => { const f = xs.filter(Number.isFinite); return f.reduce((a, b) => a + b, 0) / f.length; };
  const per = tasks.length <= 4 ? ` [${tasks.map((t, i) => `${t} ${num(r.val ? r.val.metric[i]! : r.train.metric[i]!, 3)}`).join(', ')} ${r.val ? 'val' : 'train'} ${r.metricName[0]}]` : '';
  return `epoch ${r.epoch}/${total}: train loss ${num(mean(r.train.loss), 4)}${r.val ? `, val loss ${num(mean(r.val.loss), 4)}` : ''}${per}, ${seconds(r.seconds)}${r.best ? ' *' : ''}`;
}

export function registerTrain(program: Command, io: CliIO): void {
  const cmd = program.command('train').description('train a neural multi-task network (HPS, MMoE, PLE, ...) and save it');
  addDataFlags(cmd);
  cmd.option('--mat-x <name>', 'MAT file: the cell array of per-task feature matrices', 'X').option('--mat-y <name>', 'MAT file: the cell array of per-task targets', 'Y');
  cmd
    .option('--arch <name>', `architecture: ${Object.keys(NN_MODELS).join(', ')}; optionally :method, a loss weighting or gradient aggregator (hps:pcgrad, mmoe:nash)`, 'hps')
    .option('--hidden <w1,w2>', 'shared trunk (encoder) widths, e.g. 256,256', parseWidths)
    .option('--head-hidden <w1,..>', 'hidden widths of each task head (default: linear heads)', parseWidths)
    .option('--activation <name>', 'relu, leaky-relu, gelu, tanh or sigmoid')
    .option('--experts <n>', 'mmoe / dselect-k: number of experts', parsePositiveInt)
    .option('--shared-experts <n>', 'cgc / ple: shared experts per level', parsePositiveInt)
    .option('--task-experts <n>', 'cgc / ple: experts per task and level', parsePositiveInt)
    .option('--k <n>', 'dselect-k: experts selected per task (default 2)', parsePositiveInt)
    .option('--gamma <x>', 'dselect-k: smooth-step width γ (Hazimeh et al. 2021, eq. 2; default 1)', parsePositive)
    .option('--gamma-end <x>', 'dselect-k: γ at the end of its anneal over the first 80 % of training (default γ/1000 for per-example gates, γ for static = no anneal, the paper\'s gate)', parsePositive)
    .option('--entropy-reg <x>', 'dselect-k: weight λ of the selectors\' entropy regulariser (section 3.3; default 0.1)', parseNonNegative)
    .option('--gate <kind>', 'dselect-k: static (one selection per task) or per-example (default)')
    .option('--distinct-reg <x>', 'dselect-k: weight μ of the penalty on selectors picking the same expert, so that exactly k experts carry weight (default 1 static, 5 per-example; 0 = the paper\'s gate, at most k)', parseNonNegative)
    .option('--alpha-self <x>', 'cross-stitch: initial self weight α_S of the units, α_D = 1 − α_S split over the other tasks (Misra et al. 2016, §4.2; default 0.9)', parseNonNegative)
    .option('--mix-scale <x>', 'cross-stitch: learning-rate boost of the mixing weights (default 1)', parsePositive)
    .option('--embedding <n>', 'esmm: shared embedding width (default 16)', parsePositiveInt)
    .option('--tower-hidden <w1,..>', 'esmm: hidden widths of the CTR and CVR towers', parseWidths)
    .option('--ctr-task <name>', 'esmm: the click task (CTR); the other task is click-and-convert (CTCVR = CTR × CVR). Default: the first task')
    .option('--epochs <n>', 'training epochs (default 50)', parsePositiveInt)
    .option('--batch-size <n>', 'mini-batch size (default 64; per task for per-task data)', parsePositiveInt)
    .option('--lr <x>', 'learning rate (default 1e-3)', parsePositive)
    .option('--optimizer <name>', 'adam, adamw or sgd (default adam)')
    .option('--lr-schedule <name>', 'constant, cosine (to 0 over the run) or step (default constant)')
    .option('--lr-step-epochs <n>', 'step schedule: decay every n epochs (default 10)', parsePositiveInt)
    .option('--lr-gamma <x>', 'step schedule: decay factor (default 0.1)', parsePositive)
    .option('--warmup-epochs <n>', 'linear learning-rate warm-up epochs (default 0)', (s) => (s.trim() === '0' ? 0 : parsePositiveInt(s)))
    .option('--momentum <x>', 'sgd momentum (default 0.9)', parseNonNegative)
    .option('--weight-decay <x>', 'weight decay (default 0)', parseNonNegative)
    .option('--clip-norm <x>', 'clip the global gradient norm at x (default off)', parseNonNegative)
    .option('--val-ratio <x>', 'share of training rows held out for early stopping / model selection (default 0.1)', parseNonNegative)
    .option('--patience <n>', 'epochs without validation improvement before stopping (default 10; 0 = never)', (s) => (s.trim() === '0' ? 0 : parsePositiveInt(s)))
    .option('--seed <n>', 'seed of initialisation, shuffling, dropout and the validation split (default 0)', parseSeed)
    .option('--weighting <name>', `loss weighting (src/balance, docs/balance.md): ${choicesOf('weighting')}`)
    .option('--aggregator <name>', `gradient aggregation of the shared parameters: ${choicesOf('aggregator')}`)
    .option('--grad-mode <mode>', `how per-task gradients are taken: ${choicesOf('gradMode')}`)
    .option('--cagrad-c <x>', 'CAGrad: c (default 0.4)', parseNonNegative)
    .option('--nash-max-norm <x>', 'Nash-MTL: max norm of the direction', parseNonNegative)
    .option('--fairgrad-alpha <x>', 'FairGrad: α', parsePositive)
    .option('--gradnorm-alpha <x>', 'GradNorm: asymmetry α (default 1.5)', parseNonNegative)
    .option('--log-conflict-every <n>', 'log the task-gradient cosine matrix, conflicts and norm ratios every n steps (0 = off; default 10)', (s) => (s.trim() === '0' ? 0 : parsePositiveInt(s)))
    .option('--log <file.jsonl>', 'write one JSON line per epoch (per-task train/val loss and metric, task weights, seconds)')
    .option('--checkpoint <file>', 'checkpoint file (written atomically)')
    .option('--checkpoint-every <n>', 'write the checkpoint every n epochs (default 1 when --checkpoint is given)', parsePositiveInt)
    .option('--resume', 'continue from --checkpoint (same data, flags and seed): bit-identical to an uninterrupted run');
  addOutputFlags(cmd, { out: 'save the trained model to this file' });
  cmd.addHelpText(
    'after',
    `
Examples:
  $ polytask train --data school.csv --task-col task --target y --arch hps --hidden 64,64 --epochs 50 --out hps.model.json
  $ polytask train --data usps.csv --one-vs-rest digit --skip set --arch mmoe --experts 8 --hidden 256,256 --batch-size 256 --lr 1e-3 --val-ratio 0.1 --log train.jsonl --checkpoint run.ckpt --checkpoint-every 5
  $ polytask train --data usps.csv --one-vs-rest digit --skip set --arch mmoe --experts 8 --hidden 256,256 --batch-size 256 --lr 1e-3 --val-ratio 0.1 --checkpoint run.ckpt --resume     # continue an interrupted run (same settings)
  $ polytask train --data landmine.csv --task-col task --target y --arch cross-stitch --alpha-self 0.9 --hidden 32,32 --epochs 20
  $ polytask train --data landmine.csv --task-col task --target y --arch dselect-k --experts 8 --k 2 --gamma 1 --entropy-reg 0.1 --distinct-reg 1 --gate static --epochs 20
  $ polytask train --data landmine.csv --task-col task --target y --arch ple --shared-experts 2 --task-experts 1 --hidden 32,16 --epochs 20     # one extraction level per --hidden width
  $ polytask train --data landmine.csv --task-col task --target y --arch cgc --shared-experts 4 --task-experts 2 --hidden 32 --epochs 20
  $ polytask train --data school.csv --task-col task --target y --arch mtan --hidden 32,32 --epochs 20     # one attention mask per task and layer
  $ polytask train --data landmine.csv --task-col task --target y --arch hps:pcgrad --hidden 32 --epochs 20     # a balancing method after the colon
  $ polytask train --data esmm.csv --targets click,buy --arch esmm --ctr-task click --embedding 8 --tower-hidden 8 --epochs 10     # esmm.csv: polytask make-data esmm --out esmm.csv
  $ polytask train --data multifashion.csv --targets left,right --classes 10 --arch mmoe --experts 4 --hidden 64 --epochs 10     # multifashion.csv: polytask make-data multifashion --out multifashion.csv`,
  );
  cmd.action(async (flags: TrainFlags) => {
    const spec = flags.arch ?? 'hps';
    const arch = spec.split(':')[0]!;
    if (!NN_MODELS[arch]) throw new OptionError('--arch', `unknown architecture "${arch}"${didYouMean(arch, Object.keys(NN_MODELS))}; available: ${Object.keys(NN_MODELS).join(', ')}`);
    // hps:pcgrad — a balancing method after the colon (src/estimator/spec.ts); it must not contradict --weighting/--aggregator.
    const fixed = parseModelSpec(spec, '--arch').options;
    for (const [k, v] of Object.entries(fixed)) {
      const given = (flags as Record<string, unknown>)[k];
      if (given !== undefined && given !== v) throw new OptionError('--arch', `"${spec}" fixes --${k} ${String(v)}, but --${k} ${String(given)} was also given`);
    }
    if (flags.resume && !flags.checkpoint) throw new OptionError('--resume', 'needs --checkpoint <file>');
    if (flags.checkpointEvery !== undefined && !flags.checkpoint) throw new OptionError('--checkpoint-every', 'needs --checkpoint <file>');
    const est = makeNeuralEstimator(arch, { ...trainOptions(flags), ...fixed });
    const loaded = await loadData(flags, io.cwd);
    const ds = loaded.dataset;
    const tasks = ds.tasks.map((t) => t.name);
    const epochs = est.options.epochs as number;
    const log = flags.log ? jsonLinesLogger(resolve(io.cwd, flags.log), !!flags.resume) : null;
    const progress = makeProgress(io, flags);
    progress.start(epochs, `training ${arch}`);
    const ckpt = flags.checkpoint ? resolve(io.cwd, flags.checkpoint) : undefined;
    const fitted = est.fitWith(ds, { onProgress: (p) => progress.update(Math.round((p.fraction ?? 0) * epochs), p.detail) }, {
      onEpoch: (r) => {
        log?.(r);
        if (!flags.json && !flags.quiet && !io.stderr.isTTY) info(io, flags, epochLine(r, epochs, tasks));
      },
      checkpointPath: ckpt,
      checkpointEvery: ckpt ? flags.checkpointEvery ?? 1 : undefined,
      resumeFrom: flags.resume ? ckpt : undefined,
    });
    progress.stop();
    const columns = dataColumns(flags, loaded.format);
    const json = { ...fitted.toJSON(), ...(columns ? { columns } : {}) };
    // The model-file envelope of docs/model-file.md (checksum, version, atomic write), as `fit` writes it.
    if (flags.out) writeModelFile(resolve(io.cwd, flags.out), json);
    const d = fitted.diagnostics!;
    const learned = fitted.learned as { bestEpoch: number; history: { epoch: number; trainLoss: number[]; valLoss: number[] | null }[] };
    if (flags.json) {
      out(io, JSON.stringify({ model: arch, tasks, epochs: learned.history.length, bestEpoch: learned.bestEpoch, steps: d.iterations, seconds: d.seconds, backend: d.backend, message: d.message, history: learned.history, ...(flags.out ? { out: flags.out } : {}) }));
    } else {
      out(io, `${arch} on ${loaded.file}: ${tasks.length} tasks, ${ds.featureNames.length} features; ${learned.history.length} epochs (${d.iterations} steps) in ${seconds(d.seconds)} on the ${d.backend} backend`);
      if (d.message) out(io, d.message);
      if (learned.bestEpoch > 0) out(io, `kept the parameters of epoch ${learned.bestEpoch} (best validation loss)`);
      if (flags.out) out(io, `model written to ${flags.out}`);
    }
  });
}

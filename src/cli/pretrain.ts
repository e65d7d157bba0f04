// `pretrain`: train a base model on a corpus and save it as safetensors.
import { loadCorpusNode } from '../data/node.ts';
import { getPreset } from '../model/train/presets.ts';
import { PretrainRun, type PretrainEvent, type TokenizerChoice } from '../model/train/pretrain.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, num, openGpu, progress, readUserText, required, saveCheckpoint, runName } from './common.ts';

async function loadText(corpus: string): Promise<string> {
  if (corpus.startsWith('builtin:')) return loadCorpusNode(corpus);
  return readUserText(corpus);
}

export function tokenizerChoice(spec: string | undefined): TokenizerChoice {
  if (!spec || spec === 'char') return { kind: 'char' };
  const m = /^bpe:(\d+)$/.exec(spec);
  if (!m) throw new Error(`--tokenizer must be 'char' or 'bpe:VOCAB', got '${spec}'`);
  return { kind: 'bpe', vocabSize: Number(m[1]) };
}

export async function pretrainCommand(args: CliArgs): Promise<void> {
  const out = required(args, 'out');
  const resume = args.resume ? await loadCheckpoint(args.resume) : undefined;
  const corpus = args.corpus ?? (resume?.meta.train?.corpus as string | undefined);
  if (!corpus) throw new Error('--corpus is required');
  const p = getPreset(args.preset ?? 'tiny');
  const text = await loadText(corpus);
  const steps = int(args, 'steps', p.steps, 1);
  const model = {
    layers: int(args, 'layers', p.layers, 1),
    heads: int(args, 'heads', p.heads, 1),
    channels: int(args, 'dim', p.channels, 1),
    contextLength: int(args, 'context', p.context, 1),
  };
  const gpu = await openGpu();
  const started = Date.now();
  const run = new PretrainRun(
    gpu,
    {
      text,
      corpus,
      name: runName(out),
      tokenizer: tokenizerChoice(args.tokenizer),
      model,
      train: {
        batch: int(args, 'batch', p.batch, 1),
        context: model.contextLength,
        gradAccum: int(args, 'grad-accum', 1, 1),
        steps,
        maxLr: num(args, 'lr', p.lr),
        minLr: num(args, 'min-lr', p.minLr),
        warmupSteps: int(args, 'warmup', p.warmup),
        decaySteps: steps,
        evalEvery: int(args, 'eval-every', p.evalEvery),
        evalBatches: int(args, 'eval-batches', 10, 1),
        seed: int(args, 'seed', 1337),
        optimizer: { ...DEFAULT_ADAMW, beta2: p.beta2, weightDecay: p.weightDecay },
      },
      sampleEvery: int(args, 'sample-every', 0),
      samplePrompt: '\n',
      sampleTokens: 100,
      // A long CLI run can be continued after an interruption: --autosave-every N writes OUT.autosave.safetensors
      // (with the optimizer state) every N steps; `--resume` that file to go on.
      autosaveEvery: int(args, 'autosave-every', 0),
      resume,
    },
    pretrainPrinter(args, steps),
  );
  const autosave = out.replace(/(\.safetensors)?$/, '.autosave.safetensors');
  const ckpt = await run.run(async (c) => {
    await saveCheckpoint(autosave, c);
    progress(`autosaved ${autosave}`);
  });
  await saveCheckpoint(out, ckpt);
  const evals = run.history.evals;
  const valLoss = evals.length ? evals[evals.length - 1].valLoss : await run.evaluate();
  emit(args, { done: true, val_loss: valLoss, checkpoint: out, seconds: (Date.now() - started) / 1000 }, `saved ${out} (val loss ${valLoss.toFixed(4)})`);
}

/** Prints a pretraining run's events: JSON lines on stdout with --json, progress on stderr. */
export function pretrainPrinter(args: CliArgs, steps: number): (e: PretrainEvent) => void {
  const json = !!args.json;
  return (e) => {
    if (e.type === 'tokenizer') return;
    if (e.type === 'ready') progress(`model: ${e.params.toLocaleString()} parameters, vocab ${e.vocabSize}, ${e.trainTokens} train / ${e.valTokens} val tokens`);
    else if (e.type === 'step') {
      if (json) emit(args, { step: e.step, loss: e.loss, lr: e.lr, tokens_per_s: Math.round(e.tokensPerS) });
      if (!json || e.step % 10 === 0) progress(`step ${e.step}/${steps}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  ${Math.round(e.tokensPerS)} tok/s`);
    } else if (e.type === 'eval') {
      if (json) emit(args, { step: e.step, val_loss: e.valLoss });
      progress(`step ${e.step}: val loss ${e.valLoss.toFixed(4)}`);
    } else if (e.type === 'sample') progress(`sample at step ${e.step}: ${JSON.stringify(e.text)}`);
  };
}

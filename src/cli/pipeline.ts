// `pipeline`: pretraining on the facts world, then SFT on its questions — the whole base → assistant path
// in one command, printing each stage's final line. The SFT line also carries base_accuracy: the base
// model asked the same held-out and trained questions through the same chat template. With --rlhf
// labeler:NAME it goes on through a reward model and PPO (pipeline-rlhf.ts).
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { factsCorpus, makeFactsWorld, splitFacts, type FactsLang } from '../data/index.ts';
import { factsQa, samplePairs, trainedSample } from '../model/sft/facts-qa.ts';
import { sftText } from '../model/sft/types.ts';
import { SftRun } from '../model/sft/run.ts';
import { PretrainRun } from '../model/train/pretrain.ts';
import { buildCharTokenizer } from '../model/tokenizer/index.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import type { CliArgs } from './main.ts';
import { emit, int, num, openGpu, progress, required, saveCheckpoint } from './common.ts';
import { pretrainPrinter } from './pretrain.ts';
import { sftPrinter } from './sft.ts';
import { checkRlhfArg, rlhfStages } from './pipeline-rlhf.ts';
import { PIPELINES } from '../model/train/pipeline-presets.ts';


export async function pipelineCommand(args: CliArgs): Promise<void> {
  const name = required(args, 'preset');
  const p = PIPELINES[name];
  if (!p) throw new Error(`unknown pipeline preset '${name}'; choose one of ${Object.keys(PIPELINES).join(', ')}`);
  const dir = required(args, 'out-dir');
  if (args.rlhf !== undefined) checkRlhfArg(args.rlhf);
  await mkdir(dir, { recursive: true });
  const seed = int(args, 'seed', 1337);
  const languages = args.languages ? (String(args.languages).split(',') as FactsLang[]) : p.languages;
  const world = makeFactsWorld({ size: p.world, languages });
  const qa = factsQa(world, splitFacts(world));
  const text = factsCorpus(world, { mentionsPerFact: int(args, 'mentions', p.mentions ?? 100, 1) });
  // The char vocabulary covers the questions too ('?', 什么, …), or they would reach the model as <|unk|>.
  const tokenizer = buildCharTokenizer([text, sftText([...qa.train, ...qa.heldOut, ...qa.heldOutPhrasing])]);
  // Every size can be overridden for experiments (--layers --heads --dim --context --batch).
  const model = {
    layers: int(args, 'layers', p.model.layers, 1),
    heads: int(args, 'heads', p.model.heads, 1),
    channels: int(args, 'dim', p.model.channels, 1),
    contextLength: int(args, 'context', p.model.contextLength, 2),
  };
  const batch = int(args, 'batch', p.batch, 1);
  const gpu = await openGpu();
  const started = Date.now();

  const pretrainSteps = int(args, 'pretrain-steps', p.pretrainSteps, 1);
  const pretrainLr = num(args, 'pretrain-lr', p.pretrainLr);
  const pre = new PretrainRun(
    gpu,
    {
      text,
      corpus: `builtin:facts?size=${p.world}`,
      name: `${name}-base`,
      tokenizer: { kind: 'char' },
      prebuiltTokenizer: tokenizer,
      model,
      train: {
        batch, context: model.contextLength, gradAccum: 1, steps: pretrainSteps, maxLr: pretrainLr, minLr: pretrainLr / 10,
        warmupSteps: Math.min(100, Math.floor(pretrainSteps / 10)), decaySteps: pretrainSteps, evalEvery: Math.max(1, Math.floor(pretrainSteps / 5)),
        evalBatches: 8, seed, optimizer: { ...DEFAULT_ADAMW, weightDecay: 0.1 },
      },
      sampleEvery: 0, samplePrompt: '', sampleTokens: 0, autosaveEvery: 0,
    },
    pretrainPrinter({ ...args, json: false }, pretrainSteps),
  );
  const base = await pre.run();
  const baseFile = join(dir, 'base.safetensors');
  await saveCheckpoint(baseFile, base);
  const valLoss = pre.history.evals.at(-1)?.valLoss ?? (await pre.evaluate());
  pre.release();
  emit(args, { stage: 'pretrain', done: true, val_loss: valLoss, checkpoint: baseFile, seconds: (Date.now() - started) / 1000 });

  const sftSteps = int(args, 'sft-steps', p.sftSteps, 1);
  const sftLr = num(args, 'sft-lr', p.sftLr);
  const probe = int(args, 'eval-questions', p.evalQuestions, 1);
  const sft = new SftRun(
    gpu,
    {
      base, name: `${name}-sft`, data: 'builtin:facts-qa', train: qa.train,
      heldOut: samplePairs(qa.heldOut, probe, seed), trainedProbe: trainedSample(qa.train, probe, seed), world, maxAnswerTokens: 64,
      settings: {
        batch: int(args, 'sft-batch', batch, 1), context: model.contextLength, gradAccum: 1, steps: sftSteps, maxLr: sftLr, minLr: sftLr / 10,
        warmupSteps: Math.min(20, Math.floor(sftSteps / 10)), decaySteps: sftSteps, evalEvery: 0, evalBatches: 4, seed,
        optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      },
    },
    sftPrinter({ ...args, json: false }, sftSteps),
  );
  progress('asking the base model the same questions through the chat template…');
  const before = await sft.evaluate(); // step 0: still the base model's weights
  const ckpt = await sft.run();
  const sftFile = join(dir, 'sft.safetensors');
  await saveCheckpoint(sftFile, ckpt);
  const after = sft.history.evals.at(-1)!;
  sft.release();
  emit(args, {
    stage: 'sft', done: true, val_loss: after.valLoss, heldout_accuracy: after.heldoutAccuracy, trained_accuracy: after.trainedAccuracy,
    base_accuracy: { heldout: before.heldoutAccuracy, trained: before.trainedAccuracy }, checkpoint: sftFile, seconds: (Date.now() - started) / 1000,
  });

  // --rlhf labeler:NAME: reward model, PPO, and the labeler's verdict on SFT vs RLHF (pipeline-rlhf.ts).
  if (args.rlhf !== undefined) await rlhfStages(args, gpu, { preset: name, dir, sft: ckpt, seed, started });
}

// `pipeline`: pretraining on the facts world, then SFT on its questions — the whole base → assistant path
// in one command, printing each stage's final line. The SFT line also carries base_accuracy: the base
// model asked the same held-out and trained questions through the same chat template. With --rlhf
// labeler:NAME it goes on through a reward model and PPO (pipeline-rlhf.ts).
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { FactsLang } from '../data/index.ts';
import { factsSetup, pretrainStage, sftStage } from '../model/train/facts-pipeline.ts';
import type { CliArgs } from './main.ts';
import { emit, int, num, openGpu, progress, required, saveCheckpoint } from './common.ts';
import { pretrainPrinter, tokenizerChoice } from './pretrain.ts';
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
  // The stages themselves are src/model/train/facts-pipeline.ts, shared with the page's guided tour; every
  // size can be overridden here for experiments (--layers --heads --dim --context --batch --tokenizer).
  const s = factsSetup(name, p, {
    seed: int(args, 'seed', 1337),
    languages: args.languages ? (String(args.languages).split(',') as FactsLang[]) : undefined,
    mentions: int(args, 'mentions', p.mentions ?? 100, 1),
    tokenizer: args.tokenizer !== undefined ? tokenizerChoice(String(args.tokenizer)) : undefined,
    model: {
      layers: int(args, 'layers', p.model.layers, 1),
      heads: int(args, 'heads', p.model.heads, 1),
      channels: int(args, 'dim', p.model.channels, 1),
      contextLength: int(args, 'context', p.model.contextLength, 2),
    },
    batch: int(args, 'batch', p.batch, 1),
  });
  const gpu = await openGpu();
  const started = Date.now();

  const pretrainSteps = int(args, 'pretrain-steps', p.pretrainSteps, 1);
  const pre = await pretrainStage(gpu, s, { steps: pretrainSteps, lr: num(args, 'pretrain-lr', p.pretrainLr) }, pretrainPrinter({ ...args, json: false }, pretrainSteps));
  const baseFile = join(dir, 'base.safetensors');
  await saveCheckpoint(baseFile, pre.ckpt);
  emit(args, { stage: 'pretrain', done: true, val_loss: pre.valLoss, checkpoint: baseFile, seconds: (Date.now() - started) / 1000 });

  const sftSteps = int(args, 'sft-steps', p.sftSteps, 1);
  const sft = await sftStage(
    gpu,
    s,
    pre.ckpt,
    {
      steps: sftSteps, lr: num(args, 'sft-lr', p.sftLr), batch: int(args, 'sft-batch', p.sftBatch ?? s.batch, 1), evalQuestions: int(args, 'eval-questions', p.evalQuestions, 1),
      onBaseEval: () => progress('asking the base model the same questions through the chat template…'),
    },
    sftPrinter({ ...args, json: false }, sftSteps),
  );
  const sftFile = join(dir, 'sft.safetensors');
  await saveCheckpoint(sftFile, sft.ckpt);
  const { before, after } = sft;
  emit(args, {
    stage: 'sft', done: true, val_loss: after.valLoss, heldout_accuracy: after.heldoutAccuracy, trained_accuracy: after.trainedAccuracy,
    base_accuracy: { heldout: before.heldoutAccuracy, trained: before.trainedAccuracy }, checkpoint: sftFile, seconds: (Date.now() - started) / 1000,
  });

  // --rlhf labeler:NAME: reward model, PPO, and the labeler's verdict on SFT vs RLHF (pipeline-rlhf.ts).
  if (args.rlhf !== undefined) await rlhfStages(args, gpu, { setup: s, dir, sft: sft.ckpt, started });
}

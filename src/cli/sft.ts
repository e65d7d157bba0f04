// `sft`: fine-tune a base checkpoint on Q&A pairs (builtin:facts-qa or a JSONL file) into an SFT checkpoint.
import { readFile } from 'node:fs/promises';
import { factsWorldOfKey, makeFactsWorld, splitFacts, type FactsWorld } from '../data/index.ts';
import { factsQa, trainedSample, samplePairs } from '../model/sft/facts-qa.ts';
import { parseSftJsonl } from '../model/sft/jsonl.ts';
import type { QaPair } from '../model/sft/types.ts';
import { SftRun, type SftEvent } from '../model/sft/run.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, num, openGpu, progress, required, saveCheckpoint, runName } from './common.ts';

interface SftData {
  train: QaPair[];
  heldOut: QaPair[];
  trained: QaPair[];
  world?: FactsWorld;
}

/** The pairs, a held-out set and a probe of trained questions (at most `probe` each). */
async function loadPairs(spec: string, probe: number, seed: number, baseCorpus: unknown): Promise<SftData> {
  if (spec === 'builtin:facts-qa') {
    // The world the base model read (its corpus key names it), else builtin:facts's default one.
    const world = factsWorldOfKey(baseCorpus) ?? makeFactsWorld();
    const qa = factsQa(world, splitFacts(world));
    return { train: qa.train, heldOut: samplePairs(qa.heldOut, probe, seed), trained: trainedSample(qa.train, probe, seed), world };
  }
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${spec}: ${(e as Error).message}`);
  }
  const { pairs, errors } = parseSftJsonl(text);
  if (errors.length) throw new Error(`${spec}: ${errors.slice(0, 5).map((e) => `line ${e.line}: ${e.message}`).join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`);
  if (pairs.length < 2) throw new Error(`${spec} has ${pairs.length} pair(s); at least 2 are needed (one is held out)`);
  // A file has no facts world: the last tenth is held out and answers are judged by exact match.
  const cut = Math.max(1, Math.floor(pairs.length * 0.9));
  return { train: pairs.slice(0, cut), heldOut: pairs.slice(cut, cut + probe), trained: samplePairs(pairs.slice(0, cut), probe, seed) };
}

export async function sftCommand(args: CliArgs): Promise<void> {
  const from = required(args, 'from');
  const out = required(args, 'out');
  const seed = int(args, 'seed', 1337);
  // The data first: a malformed file is reported before anything heavier is loaded. builtin:facts-qa needs
  // the base's corpus key, which names the facts world it read.
  const spec = required(args, 'data');
  const early = spec === 'builtin:facts-qa' ? await loadCheckpoint(from) : null;
  const data = await loadPairs(spec, int(args, 'eval-questions', 40, 1), seed, early?.meta.lineage.find((l) => l.stage === 'base')?.corpus);
  const base = early ?? (await loadCheckpoint(from));
  const steps = int(args, 'steps', 200, 1);
  const started = Date.now();
  const run = new SftRun(
    await openGpu(),
    {
      base,
      name: runName(out),
      data: required(args, 'data'),
      train: data.train,
      heldOut: data.heldOut,
      trainedProbe: data.trained,
      world: data.world,
      maxAnswerTokens: int(args, 'max-tokens', 64, 1),
      settings: {
        batch: int(args, 'batch', 8, 1),
        context: base.config.contextLength,
        gradAccum: 1,
        steps,
        maxLr: num(args, 'lr', 1e-3),
        minLr: num(args, 'min-lr', 1e-4),
        warmupSteps: int(args, 'warmup', Math.min(20, Math.floor(steps / 10))),
        decaySteps: steps,
        evalEvery: int(args, 'eval-every', 0),
        evalBatches: int(args, 'eval-batches', 4, 1),
        seed,
        optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      },
    },
    sftPrinter(args, steps),
  );
  progress(`SFT on ${data.train.length} pairs (${data.heldOut.length} held-out questions, ${data.trained.length} trained questions probed)`);
  const ckpt = await run.run();
  await saveCheckpoint(out, ckpt);
  const last = run.history.evals[run.history.evals.length - 1];
  emit(
    args,
    { done: true, val_loss: last.valLoss, heldout_accuracy: last.heldoutAccuracy, trained_accuracy: last.trainedAccuracy, checkpoint: out, seconds: (Date.now() - started) / 1000 },
    `saved ${out}: held-out accuracy ${last.heldoutAccuracy.toFixed(3)}, trained ${last.trainedAccuracy.toFixed(3)}`,
  );
}

/** Prints an SFT run's events: JSON lines on stdout with --json, progress on stderr. */
export function sftPrinter(args: CliArgs, steps: number): (e: SftEvent) => void {
  return (e) => {
    if (e.type === 'step') {
      if (args.json) emit(args, { step: e.step, loss: e.loss, lr: e.lr, tokens_per_s: Math.round(e.tokensPerS) });
      if (!args.json || e.step % 10 === 0) progress(`step ${e.step}/${steps}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}`);
    } else {
      if (args.json) emit(args, { step: e.step, val_loss: e.valLoss, heldout_accuracy: e.heldoutAccuracy, trained_accuracy: e.trainedAccuracy });
      progress(`step ${e.step}: held-out loss ${e.valLoss.toFixed(4)}, accuracy held-out ${e.heldoutAccuracy.toFixed(3)}, trained ${e.trainedAccuracy.toFixed(3)}`);
    }
  };
}

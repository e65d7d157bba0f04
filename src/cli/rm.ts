// `rm`: train a reward model from an SFT checkpoint on preferences — a JSONL file (pairs or rankings) or
// the simulated labeler (labeler:NAME), which ranks K answers the SFT model samples per facts-qa prompt.
import { readFile, writeFile } from 'node:fs/promises';
import type { Gpu } from '../model/gpu/runtime.ts';
import type { Checkpoint } from '../model/checkpoint/index.ts';
import { tokenizerFromJSON } from '../model/tokenizer/index.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import { describePrefsErrors, parsePrefsJsonl, rankingsToJsonl, tokenizerFingerprint, type PreferencePair } from '../model/rlhf/prefs.ts';
import { getLabeler } from '../model/rlhf/labeler.ts';
import { factsWorldOf, heldOutPromptCount } from '../model/rlhf/prompts.ts';
import { labelerPreferences } from '../model/train/facts-pipeline.ts';
import { DEFAULT_LIKELIHOOD_SCALE, DEFAULT_SCALAR_LR, RewardModelRun } from '../model/rlhf/reward-model.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, nonNegative, num, openGpu, progress, required, saveCheckpoint, runName } from './common.ts';

export interface LoadedPrefs {
  train: PreferencePair[];
  heldOut: PreferencePair[];
  /** What to record in the lineage. */
  source: string;
}

/** The held-out share of a preference file: the pairs of the last tenth of its prompts. */
function splitByPrompt(pairs: PreferencePair[]): { train: PreferencePair[]; heldOut: PreferencePair[] } {
  const prompts = [...new Set(pairs.map((p) => p.prompt))];
  if (prompts.length < 2) return { train: pairs, heldOut: [] };
  const held = new Set(prompts.slice(Math.max(1, Math.floor(prompts.length * 0.9))));
  return { train: pairs.filter((p) => !held.has(p.prompt)), heldOut: pairs.filter((p) => held.has(p.prompt)) };
}

/**
 * --prefs PATH.jsonl|labeler:NAME for a checkpoint. A labeler samples --k answers (at --temperature,
 * default 0.7) per prompt for --prompts trained facts-qa questions, and a quarter as many held-out ones.
 */
export async function loadPreferences(args: CliArgs, ckpt: Checkpoint, gpu: () => Promise<Gpu>): Promise<LoadedPrefs> {
  const spec = required(args, 'prefs');
  if (!ckpt.meta.tokenizer) throw new Error(`${ckpt.meta.name} has no tokenizer (not trained by the playground?)`);
  const tokenizer = tokenizerFromJSON(ckpt.meta.tokenizer as never);
  const fingerprint = tokenizerFingerprint(tokenizer);
  if (!spec.startsWith('labeler:')) {
    let text: string;
    try {
      text = await readFile(spec, 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${spec}: ${(e as Error).message}`);
    }
    const parsed = parsePrefsJsonl(text, { fingerprint });
    if (parsed.errors.length) throw new Error(describePrefsErrors(spec, parsed.errors));
    if (parsed.pairs.length < 2) throw new Error(`${spec} holds ${parsed.pairs.length} preference pair(s); at least 2 are needed`);
    return nonEmpty({ ...splitByPrompt(parsed.pairs), source: spec });
  }
  getLabeler(spec); // an unknown name fails before any sampling
  const world = factsWorldOf(ckpt);
  if (!world) throw new Error(`${spec} asks facts-qa questions, but ${ckpt.meta.name} was not pretrained on builtin:facts; give a preference file instead`);
  const n = int(args, 'prompts', 64, 1);
  const k = int(args, 'k', 4, 2);
  const started = Date.now();
  progress(`sampling ${k} answers for ${n} prompts (and ${heldOutPromptCount(n)} held-out prompts), ranked by ${spec}…`);
  const prefs = await labelerPreferences(await gpu(), ckpt, tokenizer, world, {
    labeler: spec, prompts: n, k, maxTokens: int(args, 'max-tokens', 48, 1), seed: int(args, 'seed', 1337),
    temperature: num(args, 'temperature', 0.7), topK: int(args, 'top-k', 0), topP: num(args, 'top-p', 1),
  });
  progress(`sampled and ranked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (args['save-prefs']) {
    await writeFile(args['save-prefs'], rankingsToJsonl(prefs.rankings));
    progress(`rankings written to ${args['save-prefs']}`);
  }
  return nonEmpty({ train: prefs.train, heldOut: prefs.heldOut, source: spec });
}

/** Both rm and dpo need training pairs: a source that gave none is an error, not an empty run. */
function nonEmpty(p: LoadedPrefs): LoadedPrefs {
  if (p.train.length === 0) throw new Error(`${p.source} gave no preference pairs to train on (every ranking tied?)`);
  return p;
}

export async function rmCommand(args: CliArgs): Promise<void> {
  const from = required(args, 'from');
  const out = required(args, 'out');
  required(args, 'prefs');
  const sft = await loadCheckpoint(from);
  const seed = int(args, 'seed', 1337);
  let gpu: Gpu | undefined;
  const getGpu = async () => (gpu ??= await openGpu());
  const started = Date.now();
  const prefs = await loadPreferences(args, sft, getGpu);
  const steps = int(args, 'steps', 150, 1);
  const run = new RewardModelRun(
    await getGpu(),
    {
      sft,
      name: runName(out),
      prefs: prefs.source,
      train: prefs.train,
      heldOut: prefs.heldOut,
      settings: {
        steps,
        pairsPerStep: int(args, 'batch', 16, 1),
        maxLr: num(args, 'lr', 3e-5),
        minLr: num(args, 'min-lr', num(args, 'lr', 3e-5) / 10),
        warmupSteps: int(args, 'warmup', Math.min(10, Math.floor(steps / 10))),
        decaySteps: steps,
        evalEvery: int(args, 'eval-every', 0),
        seed,
        optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
        likelihoodScale: num(args, 'likelihood-scale', DEFAULT_LIKELIHOOD_SCALE),
        headLrScale: nonNegative(num(args, 'head-lr-scale', 1), '--head-lr-scale'),
        scalarLr: nonNegative(num(args, 'scalar-lr', DEFAULT_SCALAR_LR), '--scalar-lr'),
        learnLength: !args['fixed-length'],
      },
    },
    (e) => {
      if (e.type === 'step') {
        if (args.json) emit(args, { step: e.step, loss: e.loss, accuracy: e.accuracy, lr: e.lr });
        if (!args.json || e.step % 10 === 0) progress(`step ${e.step}/${steps}  loss ${e.loss.toFixed(4)}  batch accuracy ${e.accuracy.toFixed(2)}`);
      } else {
        if (args.json) emit(args, { step: e.step, heldout_loss: e.heldoutLoss, heldout_pair_accuracy: e.heldoutAccuracy });
        progress(`step ${e.step}: held-out loss ${e.heldoutLoss.toFixed(4)}, pairwise accuracy ${e.heldoutAccuracy.toFixed(3)}`);
      }
    },
  );
  progress(`reward model on ${run.train.length} pairs (${run.heldOut.length} held out${run.dropped ? `, ${run.dropped} too long for the context` : ''})`);
  const before = run.heldOut.length ? (await run.pairAccuracy(run.heldOut)).accuracy : NaN;
  const ckpt = await run.run();
  await saveCheckpoint(out, ckpt);
  const last = run.history.evals.at(-1)!;
  const { likelihoodScale, lengthWeight } = run.rm;
  run.release();
  emit(
    args,
    {
      done: true, heldout_pair_accuracy: last.heldoutAccuracy, heldout_loss: last.heldoutLoss, heldout_pair_accuracy_before: before,
      pairs: run.train.length, heldout_pairs: run.heldOut.length, likelihood_scale: likelihoodScale, length_weight: lengthWeight,
      checkpoint: out, seconds: (Date.now() - started) / 1000,
    },
    `saved ${out}: held-out pairwise accuracy ${last.heldoutAccuracy.toFixed(3)} (before training ${before.toFixed(3)}); α ${likelihoodScale.toFixed(3)}, λ ${lengthWeight.toFixed(4)} per token`,
  );
}

// `score`: the simulated labeler's mean score of fresh answers a checkpoint samples to held-out facts-qa
// prompts (trained facts in question phrasings no stage trained on; --split facts asks held-out facts,
// --split train the trained questions) — the yardstick for comparing SFT, DPO and PPO policies.
import { Gpt } from '../model/gpt.ts';
import { tokenizerFromJSON } from '../model/tokenizer/index.ts';
import { getLabeler } from '../model/rlhf/labeler.ts';
import { factsWorldOf, pickPrompts, rlhfPrompts } from '../model/rlhf/prompts.ts';
import { labelerScore } from '../model/rlhf/collect.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, num, openGpu, progress, required } from './common.ts';

export async function scoreCommand(args: CliArgs): Promise<void> {
  const file = required(args, 'ckpt');
  const labeler = getLabeler(required(args, 'labeler'));
  const split = args.split ?? 'heldout';
  const SPLITS = { heldout: 'held-out', facts: 'held-out-fact', train: 'trained' } as const;
  if (!(split in SPLITS)) throw new Error(`--split must be heldout, facts or train, got '${split}'`);
  const which = split as keyof typeof SPLITS;
  const ckpt = await loadCheckpoint(file);
  if (!ckpt.meta.tokenizer) throw new Error(`${file} has no tokenizer (not trained by the playground?)`);
  const world = factsWorldOf(ckpt);
  if (!world) throw new Error(`${file} was not pretrained on builtin:facts, so there are no facts-qa prompts to score it on`);
  const seed = int(args, 'seed', 1337);
  const prompts = rlhfPrompts(world);
  const set = { heldout: prompts.heldOut, facts: prompts.heldOutFacts, train: prompts.train }[which];
  const picked = pickPrompts(set, int(args, 'prompts', 64, 1), seed);
  const started = Date.now();
  const model = new Gpt(await openGpu(), ckpt.config, ckpt.params);
  const per = int(args, 'samples', 1, 1);
  progress(`sampling ${per} answer(s) to each of ${picked.length} ${SPLITS[which]} prompts, scored by labeler:${labeler.name}…`);
  const s = await labelerScore(model, tokenizerFromJSON(ckpt.meta.tokenizer as never), picked, labeler, world, {
    maxTokens: int(args, 'max-tokens', 48, 1),
    per,
    seed,
    sampler: { temperature: num(args, 'temperature', 0.7), topK: int(args, 'top-k', 0), topP: num(args, 'top-p', 1) },
  });
  model.release();
  for (const e of s.examples) progress(`  ${e.score.toFixed(2)}  ${e.prompt} → ${e.answer}`);
  emit(
    args,
    { mean_score: s.mean, stderr: s.stderr, rules: s.rules, prompts: s.n, answers: s.answers, labeler: labeler.name, split, stage: ckpt.meta.stage, seconds: (Date.now() - started) / 1000 },
    `mean labeler:${labeler.name} score ${s.mean.toFixed(3)} ± ${s.stderr.toFixed(3)} over ${s.answers} answers to ${s.n} prompts (correct ${(s.rules.correct * 100).toFixed(1)} %)`,
  );
}

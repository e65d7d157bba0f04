// `score`: the simulated labeler's mean score of fresh answers a checkpoint samples to held-out facts-qa
// prompts (trained facts in question phrasings no stage trained on; --split facts asks held-out facts,
// --split train the trained questions) — the yardstick for comparing SFT, DPO and PPO policies.
// `--vs OTHER` scores a second checkpoint on the same prompts and reports the paired difference.
import type { Checkpoint } from '../model/checkpoint/index.ts';
import { tokenizerFromJSON } from '../model/tokenizer/index.ts';
import { getLabeler } from '../model/rlhf/labeler.ts';
import { factsWorldOf, pickPrompts, rlhfPrompts } from '../model/rlhf/prompts.ts';
import { checkpointScore, formatPaired, pairedDifference, type ScoreSummary } from '../model/rlhf/collect.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, num, openGpu, progress, required } from './common.ts';

const SPLITS = { heldout: 'held-out', facts: 'held-out-fact', train: 'trained' } as const;

export async function scoreCommand(args: CliArgs): Promise<void> {
  const file = required(args, 'ckpt');
  const labeler = getLabeler(required(args, 'labeler'));
  const split = args.split ?? 'heldout';
  if (!(split in SPLITS)) throw new Error(`--split must be heldout, facts or train, got '${split}'`);
  const which = split as keyof typeof SPLITS;
  const ckpt = await loadCheckpoint(file);
  const world = factsWorldOf(ckpt);
  if (!world) throw new Error(`${file} was not pretrained on builtin:facts, so there are no facts-qa prompts to score it on`);
  const other = args.vs ? await loadCheckpoint(args.vs) : undefined;
  if (other && JSON.stringify(factsWorldOf(other)) !== JSON.stringify(world)) {
    throw new Error(`${args.vs} was not pretrained on the same facts world as ${file}, so they cannot be scored on the same prompts`);
  }
  // refused before any sampling, so a bad second file costs nothing
  for (const [ck, f] of [[ckpt, file], [other, args.vs]] as const) {
    if (ck && !ck.meta.tokenizer) throw new Error(`${f} has no tokenizer (not trained by the playground?)`);
  }
  const seed = int(args, 'seed', 1337);
  const prompts = rlhfPrompts(world);
  const set = { heldout: prompts.heldOut, facts: prompts.heldOutFacts, train: prompts.train }[which];
  const picked = pickPrompts(set, int(args, 'prompts', 64, 1), seed);
  const started = Date.now();
  const gpu = await openGpu();
  const per = int(args, 'samples', 1, 1);
  progress(`sampling ${per} answer(s) to each of ${picked.length} ${SPLITS[which]} prompts, scored by labeler:${labeler.name}…`);
  // the same seed for every checkpoint: the same sampler draws
  const sample = {
    maxTokens: int(args, 'max-tokens', 48, 1),
    per,
    seed,
    sampler: { temperature: num(args, 'temperature', 0.7), topK: int(args, 'top-k', 0), topP: num(args, 'top-p', 1) },
  };
  const scoreOf = async (ck: Checkpoint) => {
    const s = await checkpointScore(gpu, ck, tokenizerFromJSON(ck.meta.tokenizer as never), picked, labeler, world, sample);
    for (const e of s.examples) progress(`  ${e.score.toFixed(2)}  ${e.prompt} → ${e.answer}`);
    return s;
  };
  const s = await scoreOf(ckpt);
  const summary = { mean_score: s.mean, stderr: s.stderr, rules: s.rules, prompts: s.n, answers: s.answers, labeler: labeler.name, split, stage: ckpt.meta.stage };
  const line = (x: ScoreSummary) => `${x.mean.toFixed(3)} ± ${x.stderr.toFixed(3)} (correct ${(x.rules.correct * 100).toFixed(1)} %)`;
  const head = `mean labeler:${labeler.name} score ${line(s)} over ${s.answers} answers to ${s.n} prompts`;
  if (!other) {
    emit(args, { ...summary, seconds: (Date.now() - started) / 1000 }, head);
    return;
  }
  const v = await scoreOf(other);
  const d = pairedDifference(s, v);
  emit(
    args,
    {
      ...summary,
      vs: { ckpt: args.vs, stage: other.meta.stage, mean_score: v.mean, stderr: v.stderr, rules: v.rules },
      difference: d.mean,
      difference_stderr: d.stderr,
      seconds: (Date.now() - started) / 1000,
    },
    `${head}\n${args.vs}: ${line(v)}\ndifference ${formatPaired(d)}`,
  );
}

// `pipeline … --rlhf labeler:NAME`: the SFT model onward through RLHF as InstructGPT does it — the labeler
// ranks K sampled answers per prompt, a reward model learns the rankings, PPO optimises the SFT model
// against the reward model with a KL leash (--kl-beta), and the labeler itself then scores fresh SFT and
// RLHF answers to held-out prompts: the number that says whether
// RLHF helped (the reward model's own score can be gamed; the labeler's is the ground truth here).
// The stages are src/model/train/facts-pipeline.ts's, shared with the page's guided tour; this file adds
// the command-line options, the files and the progress lines.
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Gpu } from '../model/gpu/runtime.ts';
import type { Checkpoint } from '../model/checkpoint/index.ts';
import { getLabeler } from '../model/rlhf/labeler.ts';
import { rankingsToJsonl } from '../model/rlhf/prefs.ts';
import { heldOutPromptCount } from '../model/rlhf/prompts.ts';
import { formatPaired, pairedDifference } from '../model/rlhf/collect.ts';
import { labelerPreferences, labelerVerdict, ppoStage, rewardStage, type FactsSetup } from '../model/train/facts-pipeline.ts';
import type { CliArgs } from './main.ts';
import { emit, int, num, progress, saveCheckpoint } from './common.ts';
import { ppoPrinter, ppoSettings } from './ppo.ts';

/** Fails fast (before pretraining) on a bad --rlhf value. */
export function checkRlhfArg(spec: string): void {
  if (!spec.startsWith('labeler:')) throw new Error(`--rlhf takes labeler:NAME (the simulated labeler that ranks answers), got '${spec}'`);
  getLabeler(spec);
}

export async function rlhfStages(args: CliArgs, gpu: Gpu, o: { setup: FactsSetup; dir: string; sft: Checkpoint; started: number }): Promise<void> {
  const spec = String(args.rlhf);
  const labeler = getLabeler(spec);
  const s = o.setup;
  const p = s.preset.rlhf;
  const seconds = () => (Date.now() - o.started) / 1000;

  // 1. Preferences from the labeler (K sampled answers per prompt, ranked), then the reward model.
  const n = int(args, 'prompts', p.rmPrompts, 1);
  const k = int(args, 'k', p.k, 2);
  const t0 = Date.now();
  progress(`sampling ${k} answers for ${n} prompts (and ${heldOutPromptCount(n)} held-out prompts), ranked by labeler:${labeler.name}…`);
  const prefs = await labelerPreferences(gpu, o.sft, s.tokenizer, s.world, {
    labeler: spec, prompts: n, k, maxTokens: int(args, 'max-tokens', p.maxAnswerTokens, 1), seed: s.seed,
    temperature: num(args, 'temperature', p.temperature), topK: int(args, 'top-k', 0), topP: num(args, 'top-p', 1),
  });
  progress(`sampled and ranked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (args['save-prefs']) {
    await writeFile(args['save-prefs'], rankingsToJsonl(prefs.rankings));
    progress(`rankings written to ${args['save-prefs']}`);
  }
  const rmSteps = int(args, 'rm-steps', p.rmSteps, 1);
  const rm = await rewardStage(
    gpu,
    s,
    o.sft,
    { ...prefs, source: spec },
    { steps: rmSteps },
    (e) => {
      if (e.type === 'step' && e.step % 10 === 0) progress(`reward model step ${e.step}/${rmSteps}  loss ${e.loss.toFixed(4)}  batch accuracy ${e.accuracy.toFixed(2)}`);
      if (e.type === 'eval') progress(`reward model step ${e.step}: held-out pairwise accuracy ${e.heldoutAccuracy.toFixed(3)}`);
    },
    (r) => progress(`reward model on ${r.train} pairs from ${spec} (${r.heldOut} held out)`),
  );
  const rmFile = join(o.dir, 'rm.safetensors');
  await saveCheckpoint(rmFile, rm.ckpt);
  emit(args, { stage: 'reward', done: true, heldout_pair_accuracy: rm.heldoutAccuracy, pairs: rm.pairs, checkpoint: rmFile, seconds: seconds() });

  // 2. PPO against the reward model. The pipeline's --batch is pretraining's; PPO takes the preset's batch.
  const ppoSteps = int(args, 'ppo-steps', p.ppoSteps, 1);
  const settings = { ...ppoSettings({ ...args, batch: undefined }), batch: p.ppoBatch, seed: s.seed };
  const ppo = await ppoStage(gpu, s, o.sft, rm.ckpt, { steps: ppoSteps, settings, judge: spec }, ppoPrinter({ ...args, json: false }, ppoSteps));
  const rlhfFile = join(o.dir, 'rlhf.safetensors');
  await saveCheckpoint(rlhfFile, ppo.ckpt);
  emit(args, { stage: 'rlhf', done: true, reward: ppo.reward, kl: ppo.kl, kl_beta: settings.klBeta, checkpoint: rlhfFile, seconds: seconds() });

  // 3. The labeler's own score of fresh SFT and RLHF answers to the same held-out prompts.
  const verdict = await labelerVerdict(gpu, o.sft, ppo.ckpt, {
    labeler: spec, prompts: int(args, 'eval-questions', p.scorePrompts, 1), per: int(args, 'samples', p.scoreSamples ?? 1, 1), maxTokens: settings.maxAnswerTokens, temperature: num(args, 'temperature', p.temperature), seed: s.seed,
  });
  for (const [who, sc] of [['sft', verdict.sft], ['rlhf', verdict.rlhf]] as const) {
    for (const e of sc.examples.slice(0, 3)) progress(`  ${who} ${e.score.toFixed(2)}  ${e.prompt} → ${e.answer}`);
  }
  const paired = pairedDifference(verdict.rlhf, verdict.sft);
  progress(`labeler:${labeler.name}: RLHF − SFT ${formatPaired(paired)}`);
  emit(args, {
    stage: 'score', labeler: labeler.name, prompts: verdict.prompts, answers: verdict.sft.answers, sft_mean_score: verdict.sft.mean, rlhf_mean_score: verdict.rlhf.mean,
    sft_stderr: verdict.sft.stderr, rlhf_stderr: verdict.rlhf.stderr,
    // the paired test over prompts: a question's difficulty cancels out of each per-prompt difference
    difference: paired.mean, difference_stderr: paired.stderr,
    sft_rules: verdict.sft.rules, rlhf_rules: verdict.rlhf.rules, seconds: seconds(),
  });
}

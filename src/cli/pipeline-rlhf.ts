// `pipeline … --rlhf labeler:NAME`: the SFT model onward through RLHF as InstructGPT does it — the labeler
// ranks K sampled answers per prompt, a reward model learns the rankings (rm.ts's loadPreferences and
// RewardModelRun), PPO optimises the SFT model against the reward model with a KL leash (--kl-beta), and the
// labeler itself then scores fresh SFT and RLHF answers to held-out prompts: the number that says whether
// RLHF helped (the reward model's own score can be gamed; the labeler's is the ground truth here).
import { join } from 'node:path';
import type { Gpu } from '../model/gpu/runtime.ts';
import { Gpt } from '../model/gpt.ts';
import type { Checkpoint } from '../model/checkpoint/index.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import { RewardModelRun } from '../model/rlhf/reward-model.ts';
import { getLabeler } from '../model/rlhf/labeler.ts';
import { labelerScore } from '../model/rlhf/collect.ts';
import { pickPrompts } from '../model/rlhf/prompts.ts';
import { ppoPrompts } from '../model/rlhf/ppo-prompts.ts';
import type { CliArgs } from './main.ts';
import { emit, int, num, progress, saveCheckpoint } from './common.ts';
import { loadPreferences } from './rm.ts';
import { ppoPrinter, ppoSettings, runPpo } from './ppo.ts';

interface RlhfPreset {
  /** Prompts the labeler ranks K answers for (plus a quarter as many held out). */
  rmPrompts: number;
  k: number;
  rmSteps: number;
  rmLr: number;
  ppoSteps: number;
  ppoBatch: number;
  /** Held-out prompts the labeler scores SFT and RLHF answers on. */
  scorePrompts: number;
}

const RLHF_PRESETS: Record<string, RlhfPreset> = {
  'facts-tiny': { rmPrompts: 48, k: 4, rmSteps: 80, rmLr: 3e-4, ppoSteps: 30, ppoBatch: 8, scorePrompts: 48 },
  facts: { rmPrompts: 256, k: 4, rmSteps: 300, rmLr: 1e-4, ppoSteps: 200, ppoBatch: 16, scorePrompts: 200 },
};

/** Fails fast (before pretraining) on a bad --rlhf value. */
export function checkRlhfArg(spec: string): void {
  if (!spec.startsWith('labeler:')) throw new Error(`--rlhf takes labeler:NAME (the simulated labeler that ranks answers), got '${spec}'`);
  getLabeler(spec);
}

export async function rlhfStages(args: CliArgs, gpu: Gpu, o: { preset: string; dir: string; sft: Checkpoint; seed: number; started: number }): Promise<void> {
  const spec = String(args.rlhf);
  const labeler = getLabeler(spec);
  const p = RLHF_PRESETS[o.preset] ?? RLHF_PRESETS['facts-tiny'];
  const seconds = () => (Date.now() - o.started) / 1000;

  // 1. Preferences from the labeler, then the reward model.
  const prefArgs: CliArgs = { ...args, prefs: spec, prompts: String(int(args, 'prompts', p.rmPrompts, 1)), k: String(int(args, 'k', p.k, 2)) };
  const prefs = await loadPreferences(prefArgs, o.sft, async () => gpu);
  if (prefs.train.length === 0) throw new Error(`${spec} tied every ranking: no preference pairs to train the reward model on`);
  const rmSteps = int(args, 'rm-steps', p.rmSteps, 1);
  const rm = new RewardModelRun(
    gpu,
    {
      sft: o.sft, name: `${o.preset}-rm`, prefs: spec, train: prefs.train, heldOut: prefs.heldOut,
      settings: {
        steps: rmSteps, pairsPerStep: 16, maxLr: p.rmLr, minLr: p.rmLr / 10, warmupSteps: Math.min(10, Math.floor(rmSteps / 10)), decaySteps: rmSteps,
        evalEvery: 0, seed: o.seed, optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
      },
    },
    (e) => {
      if (e.type === 'step' && e.step % 10 === 0) progress(`reward model step ${e.step}/${rmSteps}  loss ${e.loss.toFixed(4)}  batch accuracy ${e.accuracy.toFixed(2)}`);
      if (e.type === 'eval') progress(`reward model step ${e.step}: held-out pairwise accuracy ${e.heldoutAccuracy.toFixed(3)}`);
    },
  );
  progress(`reward model on ${rm.train.length} pairs from ${spec} (${rm.heldOut.length} held out)`);
  const rmCkpt = await rm.run();
  const rmFile = join(o.dir, 'rm.safetensors');
  await saveCheckpoint(rmFile, rmCkpt);
  const rmEval = rm.history.evals.at(-1)!;
  rm.release();
  emit(args, { stage: 'reward', done: true, heldout_pair_accuracy: rmEval.heldoutAccuracy, pairs: rm.train.length, checkpoint: rmFile, seconds: seconds() });

  // 2. PPO against the reward model.
  const ppoSteps = int(args, 'ppo-steps', p.ppoSteps, 1);
  // The pipeline's --batch is pretraining's; PPO takes the preset's batch.
  const settings = { ...ppoSettings({ ...args, batch: undefined }), batch: p.ppoBatch, seed: o.seed };
  settings.miniBatch = Math.min(settings.miniBatch, settings.batch);
  const ppo = await runPpo(gpu, { policy: o.sft, reward: { spec: rmFile, ckpt: rmCkpt }, steps: ppoSteps, settings, name: `${o.preset}-rlhf` }, ppoPrinter({ ...args, json: false }, ppoSteps));
  const rlhfFile = join(o.dir, 'rlhf.safetensors');
  await saveCheckpoint(rlhfFile, ppo.ckpt);
  emit(args, { stage: 'rlhf', done: true, reward: ppo.reward, kl: ppo.kl, kl_beta: settings.klBeta, checkpoint: rlhfFile, seconds: seconds() });

  // 3. The labeler's own score of fresh SFT and RLHF answers to the same held-out prompts.
  const set = ppoPrompts(o.sft);
  const prompts = pickPrompts(set.heldOut, int(args, 'eval-questions', p.scorePrompts, 1), o.seed + 2);
  const sample = { maxTokens: settings.maxAnswerTokens, seed: o.seed + 3, sampler: { temperature: num(args, 'temperature', 0.7), topK: 0, topP: 1 } };
  const scoreOf = async (ck: Checkpoint) => {
    const model = new Gpt(gpu, ck.config, ck.params);
    try {
      return await labelerScore(model, set.tokenizer, prompts, labeler, set.world, sample);
    } finally {
      model.release();
    }
  };
  const sftScore = await scoreOf(o.sft);
  const rlhfScore = await scoreOf(ppo.ckpt);
  for (const [who, s] of [['sft', sftScore], ['rlhf', rlhfScore]] as const) {
    for (const e of s.examples.slice(0, 3)) progress(`  ${who} ${e.score.toFixed(2)}  ${e.prompt} → ${e.answer}`);
  }
  emit(args, {
    stage: 'score', labeler: labeler.name, prompts: prompts.length, sft_mean_score: sftScore.mean, rlhf_mean_score: rlhfScore.mean,
    sft_rules: sftScore.rules, rlhf_rules: rlhfScore.rules, seconds: seconds(),
  });
}

// `ppo`: RLHF with PPO (InstructGPT's recipe) from an SFT checkpoint against a reward model checkpoint (or a
// simulated labeler as the reward, `--reward labeler:NAME`), with a per-token KL penalty β to the SFT model.
//   npm run cli -- ppo --policy sft.safetensors --reward rm.safetensors --steps 50 --kl-beta 0.05 --out rlhf.safetensors --json
// Lines: {"step","reward","kl","entropy","value_loss","clip_fraction"} per step, then {"done":true,"reward","kl",…}.
// --kl-beta 0 removes the leash to the SFT model: the policy is free to exploit the reward model (reward
// hacking — the reward climbs while the labeler's own score of the answers does not).
import type { Gpu } from '../model/gpu/runtime.ts';
import type { Checkpoint } from '../model/checkpoint/index.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import { DEFAULT_PPO, PpoTrainer, type PpoSettings, type PpoStepReport, type RewardFn } from '../model/rlhf/ppo-trainer.ts';
import { labelerReward, ppoPrompts, type PpoPromptSet } from '../model/rlhf/ppo-prompts.ts';
import { getLabeler } from '../model/rlhf/labeler.ts';
import { rewardModelFn } from '../model/rlhf/ppo-reward.ts';
import { tokenizerFingerprint } from '../model/rlhf/prefs.ts';
import { tokenizerFromJSON } from '../model/tokenizer/index.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, num, openGpu, progress, required, saveCheckpoint, runName } from './common.ts';

export interface PpoRunOptions {
  policy: Checkpoint;
  /** `labeler:NAME`, or a reward-model checkpoint (already loaded). */
  reward: { spec: string; ckpt?: Checkpoint };
  steps: number;
  settings: PpoSettings;
  name: string;
}

export interface PpoRunResult {
  ckpt: Checkpoint;
  history: PpoStepReport[];
  /** Mean reward and KL over the last quarter of the steps (at least one): less noisy than the last step. */
  reward: number;
  kl: number;
  prompts: PpoPromptSet;
  seconds: number;
}

/** The reward of a spec: a labeler, or a reward model checkpoint scoring prompt + answer. */
async function openReward(gpu: Gpu, spec: PpoRunOptions['reward'], set: PpoPromptSet): Promise<{ fn: RewardFn; name: string; release(): void }> {
  if (spec.spec.startsWith('labeler:')) return { fn: labelerReward(getLabeler(spec.spec), set), name: spec.spec, release: () => {} };
  if (!spec.ckpt) throw new Error(`--reward ${spec.spec}: expected labeler:NAME or a reward-model checkpoint`);
  // The reward model reads the policy's token ids as they are: they must mean the same characters/pieces.
  const theirs = spec.ckpt.meta.tokenizer ? tokenizerFingerprint(tokenizerFromJSON(spec.ckpt.meta.tokenizer as never)) : 'none';
  if (theirs !== tokenizerFingerprint(set.tokenizer)) throw new Error(`--reward ${spec.spec} uses another tokenizer than the policy: train the reward model from the policy's SFT checkpoint`);
  return rewardModelFn(gpu, spec.ckpt);
}

/** Runs PPO for `steps` steps, printing each step; returns the RLHF checkpoint. Shared by `ppo` and `pipeline`. */
export async function runPpo(gpu: Gpu, o: PpoRunOptions, onStep: (r: PpoStepReport) => void): Promise<PpoRunResult> {
  const started = Date.now();
  const prompts = ppoPrompts(o.policy);
  const reward = await openReward(gpu, o.reward, prompts);
  const trainer = new PpoTrainer(gpu, o.policy, prompts.train.map(prompts.ids), reward.fn, o.settings);
  try {
    for (let i = 0; i < o.steps; i++) onStep(await trainer.trainStep());
    const ckpt = await trainer.checkpoint(o.name, { reward: reward.name, data: 'builtin:facts-qa' });
    const tail = trainer.history.slice(-Math.max(1, Math.floor(o.steps / 4)));
    const avg = (k: 'reward' | 'kl') => tail.reduce((s, r) => s + r[k], 0) / tail.length;
    return { ckpt, history: trainer.history, reward: avg('reward'), kl: avg('kl'), prompts, seconds: (Date.now() - started) / 1000 };
  } finally {
    trainer.release();
    reward.release();
  }
}

/** PPO settings from the command line (defaults: DEFAULT_PPO). */
export function ppoSettings(args: CliArgs): PpoSettings {
  const batch = int(args, 'batch', DEFAULT_PPO.batch, 1);
  return {
    ...DEFAULT_PPO,
    batch,
    miniBatch: Math.min(batch, int(args, 'mini-batch', Math.min(batch, DEFAULT_PPO.miniBatch), 1)),
    epochs: int(args, 'epochs', DEFAULT_PPO.epochs, 1),
    lr: num(args, 'lr', DEFAULT_PPO.lr),
    klBeta: num(args, 'kl-beta', DEFAULT_PPO.klBeta),
    maxAnswerTokens: int(args, 'max-tokens', DEFAULT_PPO.maxAnswerTokens, 1),
    seed: int(args, 'seed', 1337),
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
  };
}

/** Prints a PPO step: a JSON line with --json, a progress line on stderr. */
export function ppoPrinter(args: CliArgs, steps: number): (r: PpoStepReport) => void {
  return (r) => {
    if (args.json) {
      emit(args, { step: r.step, reward: r.reward, kl: r.kl, entropy: r.entropy, value_loss: r.valueLoss, clip_fraction: r.clipFraction });
    }
    progress(
      `ppo step ${r.step}/${steps}  reward ${r.reward.toFixed(3)}  kl ${r.kl.toFixed(3)}  entropy ${r.entropy.toFixed(3)}  ` +
        `value loss ${r.valueLoss.toFixed(4)}  clip ${r.clipFraction.toFixed(3)}  ${(r.ms / 1000).toFixed(1)} s`,
    );
  };
}

export async function ppoCommand(args: CliArgs): Promise<void> {
  const policyFile = required(args, 'policy');
  const rewardSpec = required(args, 'reward');
  const out = required(args, 'out');
  const steps = int(args, 'steps', 50, 1);
  const settings = ppoSettings(args);
  if (settings.klBeta < 0) throw new Error(`--kl-beta must be ≥ 0, got ${settings.klBeta}`);
  if (rewardSpec.startsWith('labeler:')) getLabeler(rewardSpec); // an unknown name fails before any loading
  const policy = await loadCheckpoint(policyFile);
  const rewardCkpt = rewardSpec.startsWith('labeler:') ? undefined : await loadCheckpoint(rewardSpec);
  if (rewardCkpt && rewardCkpt.meta.stage !== 'reward') throw new Error(`--reward ${rewardSpec} is a '${rewardCkpt.meta.stage}' checkpoint, not a reward model`);
  if (settings.klBeta === 0) progress('warning: --kl-beta 0: no KL penalty, the policy may exploit the reward (reward hacking)');
  const gpu = await openGpu();
  const r = await runPpo(
    gpu,
    { policy, reward: { spec: rewardSpec, ckpt: rewardCkpt }, steps, settings, name: runName(out) },
    ppoPrinter(args, steps),
  );
  await saveCheckpoint(out, r.ckpt);
  emit(args, { done: true, reward: r.reward, kl: r.kl, checkpoint: out, seconds: r.seconds }, `saved ${out}: reward ${r.reward.toFixed(3)}, KL ${r.kl.toFixed(3)}`);
}

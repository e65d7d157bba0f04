// `ppo`: RLHF with PPO (InstructGPT's recipe) from an SFT checkpoint against a reward model checkpoint (or a
// simulated labeler as the reward, `--reward labeler:NAME`), with a per-token KL penalty β to the SFT model.
//   npm run cli -- ppo --policy sft.safetensors --reward rm.safetensors --steps 50 --kl-beta 0.05 --out rlhf.safetensors --json
// Lines: {"step","reward","kl","entropy","value_loss","clip_fraction"} per step, then {"done":true,"reward","kl",…}.
// --judge labeler:NAME adds "judge": that labeler's mean score of the step's answers (the gold reward the
// reward model imitates; it does not train the policy), so the proxy and the gold curve can be compared.
// --kl-beta 0 removes the leash to the SFT model: the policy is free to exploit the reward model (reward
// hacking — the reward climbs while the labeler's own score of the answers does not).
import type { Checkpoint } from '../model/checkpoint/index.ts';
import { DEFAULT_ADAMW } from '../model/optimizer.ts';
import { DEFAULT_PPO, type PpoSettings, type PpoStepReport } from '../model/rlhf/ppo-trainer.ts';
import { labelerReward, ppoPrompts } from '../model/rlhf/ppo-prompts.ts';
import { getLabeler } from '../model/rlhf/labeler.ts';
import { ppoStage, type RewardSource } from '../model/train/facts-pipeline.ts';
import { tokenizerFingerprint } from '../model/rlhf/prefs.ts';
import { tokenizerFromJSON } from '../model/tokenizer/index.ts';
import type { CliArgs } from './main.ts';
import { emit, int, loadCheckpoint, num, openGpu, progress, required, saveCheckpoint, runName } from './common.ts';

/** The reward of a spec: a labeler, or a reward-model checkpoint scoring prompt + answer (same tokenizer). */
function rewardOf(spec: string, ckpt: Checkpoint | undefined, policy: Checkpoint): RewardSource | Checkpoint {
  const set = ppoPrompts(policy);
  if (spec.startsWith('labeler:')) return { fn: labelerReward(getLabeler(spec), set), name: spec, release: () => {} };
  if (!ckpt) throw new Error(`--reward ${spec}: expected labeler:NAME or a reward-model checkpoint`);
  // The reward model reads the policy's token ids as they are: they must mean the same characters/pieces.
  const theirs = ckpt.meta.tokenizer ? tokenizerFingerprint(tokenizerFromJSON(ckpt.meta.tokenizer as never)) : 'none';
  if (theirs !== tokenizerFingerprint(set.tokenizer)) throw new Error(`--reward ${spec} uses another tokenizer than the policy: train the reward model from the policy's SFT checkpoint`);
  return ckpt;
}

/** PPO settings from the command line (defaults: DEFAULT_PPO). */
export function ppoSettings(args: CliArgs): PpoSettings {
  const batch = int(args, 'batch', DEFAULT_PPO.batch, 1);
  return {
    ...DEFAULT_PPO,
    batch,
    miniBatch: int(args, 'mini-batch', DEFAULT_PPO.miniBatch, 1),
    samplesPerPrompt: int(args, 'samples-per-prompt', DEFAULT_PPO.samplesPerPrompt, 1),
    epochs: int(args, 'epochs', DEFAULT_PPO.epochs, 1),
    lr: num(args, 'lr', DEFAULT_PPO.lr),
    klBeta: num(args, 'kl-beta', DEFAULT_PPO.klBeta),
    maxAnswerTokens: int(args, 'max-tokens', DEFAULT_PPO.maxAnswerTokens, 1),
    denseReward: !args['terminal-reward'],
    seed: int(args, 'seed', 1337),
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
  };
}

/** Prints a PPO step: a JSON line with --json, a progress line on stderr. */
export function ppoPrinter(args: CliArgs, steps: number): (r: PpoStepReport) => void {
  return (r) => {
    if (args.json) {
      emit(args, { step: r.step, reward: r.reward, ...(r.judge !== undefined ? { judge: r.judge } : {}), kl: r.kl, entropy: r.entropy, value_loss: r.valueLoss, clip_fraction: r.clipFraction, answer_tokens: r.answerTokens, stopped: r.stopped });
    }
    progress(
      `ppo step ${r.step}/${steps}  reward ${r.reward.toFixed(3)}${r.judge !== undefined ? `  judge ${r.judge.toFixed(3)}` : ''}  kl ${r.kl.toFixed(3)}  entropy ${r.entropy.toFixed(3)}  ` +
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
  // --judge labeler:NAME: the labeler's score of each step's answers beside the reward (reported, not trained on)
  const judge = args.judge;
  if (judge !== undefined) getLabeler(judge);
  const policy = await loadCheckpoint(policyFile);
  const rewardCkpt = rewardSpec.startsWith('labeler:') ? undefined : await loadCheckpoint(rewardSpec);
  if (rewardCkpt && rewardCkpt.meta.stage !== 'reward') throw new Error(`--reward ${rewardSpec} is a '${rewardCkpt.meta.stage}' checkpoint, not a reward model`);
  if (settings.klBeta === 0) progress('warning: --kl-beta 0: no KL penalty, the policy may exploit the reward (reward hacking)');
  const reward = rewardOf(rewardSpec, rewardCkpt, policy);
  const gpu = await openGpu();
  const started = Date.now();
  const r = await ppoStage(gpu, { name: runName(out) }, policy, reward, { steps, settings, name: runName(out), judge }, ppoPrinter(args, steps));
  await saveCheckpoint(out, r.ckpt);
  const seconds = (Date.now() - started) / 1000;
  emit(args, { done: true, reward: r.reward, kl: r.kl, checkpoint: out, seconds }, `saved ${out}: reward ${r.reward.toFixed(3)}, KL ${r.kl.toFixed(3)}`);
}

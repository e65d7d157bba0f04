// PPO's settings and defaults, apart from the trainer so the page can read them without the GPU code.
import type { AdamWHyper } from '../optimizer.ts';

export interface PpoSettings {
  /** Rollouts (answers) per PPO step. */
  batch: number;
  /**
   * Answers sampled per prompt (batch / this prompts per step). With more than one, each score is taken
   * relative to the prompt's other answers before the KL shaping: measured on facts-tiny with the labeler
   * itself as the reward, one answer per prompt let the question's difficulty swamp the signal and the
   * reward FELL over 30 steps (bench/NOTES-facts.md).
   */
  samplesPerPrompt: number;
  /** Rollouts per gradient step (batch is split into minibatches). */
  miniBatch: number;
  /** Passes over each batch of rollouts. */
  epochs: number;
  lr: number;
  /** β of the per-token KL penalty to the SFT reference; 0 lets the policy drift freely (reward hacking). */
  klBeta: number;
  gamma: number;
  lambda: number;
  /** ε of the ratio clip. */
  clip: number;
  /** ε of the value clip (absolute, in reward units). */
  valueClip: number;
  /** Weight c_v of the value loss next to the policy loss (they share the trunk). */
  valueCoef: number;
  maxAnswerTokens: number;
  whitenAdvantages: boolean;
  /**
   * Credit the reward's per-token parts (a reward model's likelihood and length terms, RolloutRewards.perToken)
   * to the tokens that earned them, as the KL penalty is, instead of all at the last token: the same return,
   * but a token's advantage no longer carries every other token's luck. Off: InstructGPT's terminal reward.
   */
  denseReward: boolean;
  seed: number;
  optimizer: AdamWHyper;
}

export const DEFAULT_PPO: Omit<PpoSettings, 'seed' | 'optimizer'> = {
  // Measured on facts-tiny with the labeler as the reward (bench/NOTES-facts.md): 8 prompts × 4 answers, one
  // gradient step per epoch over all 32, lr 3e-4, raised the trained-question score; minibatches of 4 at 1e-4,
  // or 4 epochs, only drifted (KL up, entropy up, score down).
  batch: 32,
  samplesPerPrompt: 4,
  miniBatch: 32,
  epochs: 2,
  lr: 3e-4,
  klBeta: 0.05,
  gamma: 1,
  lambda: 0.95,
  clip: 0.2,
  valueClip: 0.2,
  valueCoef: 0.1,
  maxAnswerTokens: 48,
  whitenAdvantages: true,
  denseReward: true,
};

// A trained reward model as PPO's RewardFn: the `reward` checkpoint's score of prompt + answer (its `score`
// head at the answer's closing <|end|> — where the reward model was trained to score — plus α·the answer's
// mean log-likelihood plus λ·its length). An answer that ran out of tokens gets an <|end|> appended for
// scoring (or its last token replaced by one when the context is full), so every answer is scored in the
// same position the RM knows. The likelihood and length terms are sums over the answer's tokens, so each
// token's share, α·log p(token)/|y| + λ, is handed to PPO as that token's reward (tokenTerms); the head's
// judgement of the whole answer (and the appended <|end|>'s share) stays at the last token.
import type { Gpu } from '../gpu/runtime.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import { STOP_ID } from '../sft/chat.ts';
import { loadRewardModel, releaseRewardModel, scoreParts, type RewardModel, type RewardParts } from './reward-model.ts';
import type { Rollout } from './rollout.ts';
import type { RewardFn } from './ppo-trainer.ts';

/** prompt + answer, ending with <|end|>, at most `context` ids. */
export function scoredSequence(r: Rollout, context: number): number[] {
  const seq = [...r.prompt, ...r.answer];
  if (seq.at(-1) === STOP_ID) return seq;
  if (seq.length < context) return [...seq, STOP_ID];
  seq[context - 1] = STOP_ID;
  return seq.slice(0, context);
}

/**
 * The score's per-token parts for the first `answerTokens` tokens of the scored answer: α·log p(y_k)/|y| + λ
 * each (|y| counts the closing <|end|>, appended or not). Their sum plus the head (plus an appended <|end|>'s
 * part) is the total.
 */
export function tokenTerms(rm: Pick<RewardModel, 'likelihoodScale' | 'lengthWeight'>, p: RewardParts, answerTokens: number): Float64Array {
  const n = Math.min(answerTokens, p.length);
  return Float64Array.from({ length: n }, (_, k) => (p.tokenLogp.length ? (rm.likelihoodScale * p.tokenLogp[k]) / p.length : 0) + rm.lengthWeight);
}

export function rewardModelFn(gpu: Gpu, ckpt: Checkpoint): { fn: RewardFn; name: string; release(): void } {
  const rm = loadRewardModel(gpu, ckpt);
  const ctx = rm.model.config.contextLength;
  return {
    name: ckpt.meta.name,
    fn: async (rollouts) => {
      const parts = await scoreParts(rm, rollouts.map((r) => scoredSequence(r, ctx)));
      return { scores: parts.map((p) => p.total), perToken: parts.map((p, i) => tokenTerms(rm, p, rollouts[i].answer.length)) };
    },
    release: () => releaseRewardModel(rm),
  };
}

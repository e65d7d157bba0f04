// A trained reward model as PPO's RewardFn: the `reward` checkpoint's score of prompt + answer (its `score`
// head at the answer's closing <|end|> — where the reward model was trained to score — plus α·the answer's
// mean log-likelihood). An
// answer that ran out of tokens gets an <|end|> appended for scoring (or its last token replaced by one
// when the context is full), so every answer is scored in the same position the RM knows.
import type { Gpu } from '../gpu/runtime.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import { STOP_ID } from '../sft/chat.ts';
import { loadRewardModel, releaseRewardModel, scoreSequences } from './reward-model.ts';
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

export function rewardModelFn(gpu: Gpu, ckpt: Checkpoint): { fn: RewardFn; name: string; release(): void } {
  const rm = loadRewardModel(gpu, ckpt);
  const ctx = rm.model.config.contextLength;
  return {
    name: ckpt.meta.name,
    fn: async (rollouts) => Array.from(await scoreSequences(rm, rollouts.map((r) => scoredSequence(r, ctx)))),
    release: () => releaseRewardModel(rm),
  };
}

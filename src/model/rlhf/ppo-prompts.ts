// PPO's prompts and the labeler as a reward: the facts-qa questions of the world the policy was pretrained
// on, chat-formatted (<|user|>question<|end|><|assistant|>), trained facts for the rollouts and held-out
// facts for evaluation; and a RewardFn that asks a simulated labeler (the "gold" reward the reward model
// imitates — useful to see what PPO does with a perfect reward, or to measure a reward model's hacking).
import type { Checkpoint } from '../checkpoint/index.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import type { FactsWorld } from '../../data/index.ts';
import { answerFromIds, promptIds } from '../sft/chat.ts';
import { questionOf, type QaPair } from '../sft/types.ts';
import { factsWorldOf, rlhfPrompts } from './prompts.ts';
import { labelAnswer, type Labeler } from './labeler.ts';
import type { Rollout } from './rollout.ts';
import type { RewardFn } from './ppo-trainer.ts';

export interface PpoPromptSet {
  tokenizer: Tokenizer;
  world: FactsWorld;
  train: QaPair[];
  heldOut: QaPair[];
  /** Chat-formatted prompt ids of a pair's question. */
  ids(pair: QaPair): number[];
  /** The pair a rollout's prompt came from (by its ids). */
  pairOf(prompt: readonly number[]): QaPair | undefined;
}

/** Tokens an answer needs at least: prompts longer than context − this are left out. */
const MIN_ANSWER_ROOM = 8;

export function ppoPrompts(policy: Pick<Checkpoint, 'meta' | 'config'>): PpoPromptSet {
  if (!policy.meta.tokenizer) throw new Error('the policy checkpoint has no tokenizer');
  const world = factsWorldOf(policy);
  if (!world) throw new Error('PPO needs a policy pretrained on builtin:facts: its facts-qa questions are the prompts (the lineage names no such corpus)');
  const tokenizer = tokenizerFromJSON(policy.meta.tokenizer as never);
  const all = rlhfPrompts(world);
  const byIds = new Map<string, QaPair>();
  const ids = (p: QaPair) => promptIds(tokenizer, questionOf(p));
  const fits = (p: QaPair) => ids(p).length <= policy.config.contextLength - MIN_ANSWER_ROOM;
  const train = all.train.filter(fits);
  const heldOut = all.heldOut.filter(fits);
  if (train.length === 0) throw new Error(`no question fits the policy's context of ${policy.config.contextLength} tokens with room to answer`);
  for (const p of [...train, ...heldOut]) byIds.set(ids(p).join(','), p);
  return { tokenizer, world, train, heldOut, ids, pairOf: (prompt) => byIds.get(prompt.join(',')) };
}

/** The answer text of a rollout (up to <|end|>, special ids left out). */
export function rolloutText(set: Pick<PpoPromptSet, 'tokenizer'>, r: Rollout): string {
  return answerFromIds(set.tokenizer, r.answer).text;
}

/** A simulated labeler's score of each rollout's answer, with the facts-qa pair of its prompt as context. */
export function labelerReward(labeler: Labeler, set: PpoPromptSet): RewardFn {
  return async (rollouts) => ({
    scores: rollouts.map((r) => {
      const pair = set.pairOf(r.prompt);
      const question = pair ? questionOf(pair) : set.tokenizer.decode(r.prompt, { skipSpecial: true });
      return labelAnswer(labeler, question, rolloutText(set, r), { pair, world: set.world }).total;
    }),
  });
}

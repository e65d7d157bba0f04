// PPO rollouts: the policy answers chat-formatted prompts by sampling (temperature 1, no truncation, so the
// tokens really come from π and their log-probs are the ones PPO's ratio needs), and the rollouts are packed
// into one [B, T] batch whose "action rows" carry the log-prob of each answer token.
//
// A rollout is prompt ids (ending with <|assistant|>) + answer ids (ending with <|end|> when the model
// stopped). Answer token a_k sits at index P + k (P = prompt length); the logits that predict it are at row
// P − 1 + k, which is also where the value head reads the state before a_k: so the action rows of a rollout
// are P − 1 … P + n − 2, in the batch's flattened index b·T + t.
import type { Gpt, StepBatch } from '../gpt.ts';
import { SPECIAL_IDS } from '../tokenizer/types.ts';
import { STOP_ID } from '../sft/chat.ts';
import { sampleAnswers } from './answers.ts';
import { lengthBucket } from './pair-batch.ts';

export interface Rollout {
  prompt: number[];
  answer: number[];
  /** The answer ended with <|end|> (else it ran out of tokens or context). */
  stopped: boolean;
}

export interface RolloutOptions {
  maxTokens: number;
  seed: number;
  /** 1 samples from π itself (what PPO assumes); other values are for experiments only. */
  temperature?: number;
}

/**
 * One sampled answer per prompt, all prompts decoded together on the KV-cache decoder (answers.ts). An
 * answer always has at least one token: a prompt that fills the context is an error.
 */
export async function sampleRollouts(model: Gpt, prompts: readonly number[][], o: RolloutOptions): Promise<Rollout[]> {
  const ctx = model.config.contextLength;
  for (const p of prompts) {
    if (p.length >= ctx) throw new Error(`a prompt of ${p.length} tokens leaves no room to answer in a context of ${ctx}`);
  }
  const answers = await sampleAnswers(model, prompts, { maxTokens: o.maxTokens, seed: o.seed, temperature: o.temperature ?? 1, topK: 0, topP: 1 });
  return prompts.map((p, i) => ({ prompt: [...p], answer: answers[i], stopped: answers[i].at(-1) === STOP_ID }));
}

export interface PackedRollouts {
  /** tokens/targets [B·T]; weights 1 on action rows, 0 elsewhere. */
  batch: StepBatch & { weights: Float32Array };
  /** All action rows, rollout after rollout (flattened b·T + t). */
  positions: number[];
  /** For each rollout, its slice [start, end) of `positions` (and of any per-token array in that order). */
  spans: { start: number; end: number }[];
}

/**
 * Packs rollouts one per row of a [B = rollouts.length, T] batch (right-padded with <|pad|>, weight 0), T the
 * longest prompt + answer's lengthBucket (a multiple of 8, at most maxT, the context).
 */
export function packRollouts(rollouts: readonly Rollout[], maxT: number): PackedRollouts {
  const B = rollouts.length;
  const longest = Math.max(1, ...rollouts.map((r) => r.prompt.length + r.answer.length));
  const T = lengthBucket(longest, maxT);
  const tokens = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const targets = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const weights = new Float32Array(B * T);
  const positions: number[] = [];
  const spans: { start: number; end: number }[] = [];
  rollouts.forEach((r, b) => {
    const seq = [...r.prompt, ...r.answer];
    if (r.prompt.length < 1 || r.answer.length < 1) throw new Error(`rollout ${b}: empty prompt or answer`);
    if (seq.length > T) throw new Error(`rollout ${b}: ${seq.length} tokens exceed T = ${T}`);
    for (let t = 0; t < seq.length; t++) tokens[b * T + t] = seq[t];
    for (let t = 0; t + 1 < seq.length; t++) targets[b * T + t] = seq[t + 1];
    const start = positions.length;
    for (let k = 0; k < r.answer.length; k++) {
      const row = b * T + r.prompt.length - 1 + k;
      weights[row] = 1;
      positions.push(row);
    }
    spans.push({ start, end: positions.length });
  });
  return { batch: { tokens, targets, weights, B, T }, positions, spans };
}

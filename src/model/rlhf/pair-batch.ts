// Preference pairs as model input: each (prompt, answer) in the chat template,
//   <|user|>prompt<|end|><|assistant|>answer<|end|>
// left-truncated like SFT examples when too long (the opening <|user|> and the whole answer are kept, or the
// pair is dropped), then chosen and rejected sequences of P pairs as ONE right-padded batch of 2P rows
// (chosen rows 0…P−1, rejected rows P…2P−1) so a single forward scores both sides.
import type { Tokenizer } from '../tokenizer/types.ts';
import { SPECIAL_IDS } from '../tokenizer/types.ts';
import { encodeChat } from '../sft/chat.ts';
import { fitToContext, type SftExample } from '../sft/batch.ts';
import type { PreferencePair } from './prefs.ts';

/** One side of a pair: chat ids and per-id weights (1 on the answer's tokens and its closing <|end|>). */
export type EncodedAnswer = SftExample;

export interface EncodedPair {
  chosen: EncodedAnswer;
  rejected: EncodedAnswer;
}

/** The chat encoding of a prompt and an answer (ending with the answer's <|end|>). */
export function encodeAnswer(tokenizer: Pick<Tokenizer, 'encode'>, prompt: string, answer: string): EncodedAnswer {
  return encodeChat(tokenizer, { messages: [{ role: 'user', content: prompt }, { role: 'assistant', content: answer }] });
}

/**
 * Encodes pairs so each side has at most `maxIds` ids (reward model: the context T; DPO: T + 1, as inputs
 * and shifted targets). Pairs whose answer cannot fit are dropped and counted.
 */
export function encodePairs(tokenizer: Pick<Tokenizer, 'encode'>, pairs: readonly PreferencePair[], maxIds: number): { pairs: EncodedPair[]; dropped: number } {
  const out: EncodedPair[] = [];
  let dropped = 0;
  for (const p of pairs) {
    const c = fitToContext(encodeAnswer(tokenizer, p.prompt, p.chosen), maxIds - 1);
    const r = fitToContext(encodeAnswer(tokenizer, p.prompt, p.rejected), maxIds - 1);
    if (c && r) out.push({ chosen: c, rejected: r });
    else dropped++;
  }
  return { pairs: out, dropped };
}

/**
 * n rounded up to a multiple of 8 (at least 8), capped at max: a batch's row length. Every forward and backward
 * costs B·T, and a question with a short answer fills ~40 of a 64-token context (powers of two padded it to
 * 64); multiples of 8 keep the batch shapes to allocate few.
 */
export function lengthBucket(n: number, max: number): number {
  return Math.min(Math.max(8, Math.ceil(n / 8) * 8), max);
}

export interface SequenceBatch {
  /** [B*T] right-padded with <|pad|>. */
  tokens: Uint32Array;
  B: number;
  T: number;
  /** Flattened index of each row's last id (the answer's closing <|end|>). */
  last: number[];
  /** [B*T] the next id at each position (<|pad|> after a row's last id). */
  targets: Uint32Array;
  /**
   * [B*T] 1 where the target is an answer id (every id after the row's last <|assistant|>, its closing
   * <|end|> included), else 0: the positions of the reward model's likelihood term.
   */
  mask: Float32Array;
}

/** Chat sequences (each ≤ maxT ids) as one right-padded batch; T is a length bucket ≤ maxT. */
export function sequenceBatch(seqs: readonly (readonly number[])[], maxT: number): SequenceBatch {
  const longest = Math.max(...seqs.map((s) => s.length));
  if (longest > maxT) throw new Error(`a sequence of ${longest} ids exceeds the context of ${maxT}`);
  const T = lengthBucket(longest, maxT);
  const B = seqs.length;
  const tokens = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const targets = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const mask = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    tokens.set(s, b * T);
    const answerFrom = s.lastIndexOf(SPECIAL_IDS.assistant) + 1;
    for (let t = 0; t + 1 < s.length; t++) {
      targets[b * T + t] = s[t + 1];
      if (t + 1 >= answerFrom && answerFrom > 0) mask[b * T + t] = 1;
    }
  });
  return { tokens, B, T, last: seqs.map((s, b) => b * T + s.length - 1), targets, mask };
}

/** Inputs/targets shifted by one: a row's last id is only a target. `mask` is 1 on the answer's targets. */
export type LogProbBatch = SequenceBatch;

/** Sequences (each ≤ maxT + 1 ids) as inputs/targets shifted by one, with the answer mask on the targets. */
export function logProbBatch(seqs: readonly EncodedAnswer[], maxT: number): LogProbBatch {
  const longest = Math.max(...seqs.map((s) => s.ids.length - 1));
  if (longest > maxT) throw new Error(`a sequence of ${longest + 1} ids exceeds the context of ${maxT}`);
  const T = lengthBucket(longest, maxT);
  const B = seqs.length;
  const tokens = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const targets = new Uint32Array(B * T).fill(SPECIAL_IDS.pad);
  const mask = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t + 1 < s.ids.length; t++) {
      tokens[b * T + t] = s.ids[t];
      targets[b * T + t] = s.ids[t + 1];
      mask[b * T + t] = s.weights[t + 1];
    }
  });
  return { tokens, targets, mask, B, T, last: seqs.map((s, b) => b * T + s.ids.length - 2) };
}

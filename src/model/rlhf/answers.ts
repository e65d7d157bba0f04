// Sampling answers to chat prompts for preference collection and scoring: many rows at once on the
// KV-cache decoder (one small forward per token for all rows), each row stopping at <|end|>, at most
// maxTokens and never past the context (an answer is cut there rather than sliding the window).
import type { Gpt } from '../gpt.ts';
import { KvDecoder } from '../decode.ts';
import { Rng } from '../reference/random.ts';
import { sampleToken, type SamplerSettings } from '../sample.ts';
import { STOP_ID } from '../sft/chat.ts';

export interface SampleAnswersOptions extends SamplerSettings {
  maxTokens: number;
  seed: number;
  /** Rows decoded together (default 32). */
  rows?: number;
  signal?: AbortSignal;
}

/** For each prompt (ids ending with <|assistant|>), the sampled answer ids up to and including <|end|>. */
export async function sampleAnswers(model: Gpt, prompts: readonly number[][], o: SampleAnswersOptions): Promise<number[][]> {
  const ctx = model.config.contextLength;
  const out: number[][] = [];
  const chunk = Math.max(1, o.rows ?? 32);
  for (let start = 0; start < prompts.length; start += chunk) {
    const part = prompts.slice(start, start + chunk);
    const rngs = part.map((_, i) => new Rng((o.seed + 7919 * (start + i)) >>> 0));
    const answers: number[][] = part.map(() => []);
    const room = part.map((p) => {
      if (p.length >= ctx) throw new Error(`a prompt of ${p.length} tokens leaves no room to answer in a context of ${ctx}`);
      return Math.min(o.maxTokens, ctx - p.length);
    });
    const done = part.map((_, i) => room[i] < 1);
    const dec = new KvDecoder(model, part.length);
    try {
      let logits = await dec.prefill(part.map((p) => [...p]));
      while (!done.every(Boolean) && !o.signal?.aborted) {
        const next = part.map((_, i) => {
          if (done[i]) return -1;
          const id = sampleToken(logits[i], o, rngs[i]);
          answers[i].push(id);
          if (id === STOP_ID || answers[i].length >= room[i]) done[i] = true;
          return id;
        });
        if (done.every(Boolean)) break;
        logits = await dec.step(next.map((id, i) => (done[i] ? -1 : id)));
      }
    } finally {
      dec.release();
    }
    out.push(...answers);
  }
  return out;
}

// Autoregressive generation by recomputing the forward pass over the window (KV-cache decoding comes with
// the Compare stage). The window is padded on the right to a power-of-two bucket: causal attention means
// padding never changes earlier positions, and a few bucket sizes keep the activation pool small.
import type { Gpt } from './gpt.ts';
import { Rng } from './reference/random.ts';
import { sampleToken, type SamplerSettings } from './sample.ts';

export interface GenerateOptions extends SamplerSettings {
  maxTokens: number;
  seed: number;
  /** Generation ends after emitting any of these ids (e.g. <|end|>). */
  stopIds?: number[];
  signal?: AbortSignal;
}

function bucket(n: number, max: number): number {
  let b = 8;
  while (b < n) b *= 2;
  return Math.min(b, max);
}

/** One generated token and the model's logits it was sampled from (the raw next-token scores, before
 *  temperature or truncation), for views that show candidates and probabilities. */
export interface GeneratedStep {
  id: number;
  logits: Float32Array;
}

/** Yields each new token with the logits it was sampled from. */
export async function* generateSteps(model: Gpt, prompt: number[], o: GenerateOptions): AsyncGenerator<GeneratedStep> {
  const rng = new Rng(o.seed);
  const ctx = model.config.contextLength;
  const V = model.config.vocabSize;
  const ids = prompt.length ? [...prompt] : [0];
  for (let i = 0; i < o.maxTokens; i++) {
    if (o.signal?.aborted) return;
    const window = ids.slice(-ctx);
    const T = bucket(window.length, ctx);
    const padded = new Uint32Array(T);
    padded.set(window);
    const acts = model.forward(padded, 1, T);
    const logits = (await acts.logits.read((window.length - 1) * V, V)) as Float32Array;
    const next = sampleToken(logits, o, rng);
    ids.push(next);
    yield { id: next, logits };
    if (o.stopIds?.includes(next)) return;
  }
}

/** Yields each new token id as it is sampled. */
export async function* generate(model: Gpt, prompt: number[], o: GenerateOptions): AsyncGenerator<number> {
  for await (const step of generateSteps(model, prompt, o)) yield step.id;
}

// Autoregressive generation. The default path decodes incrementally with a KV cache (decode.ts): one full
// forward over the prompt, then one small forward per token. The recompute path (a full forward over the
// window for every token) stays for the benchmark and as the tests' reference: its window is padded on the
// right to a power-of-two bucket (causal attention means padding never changes earlier positions, and a
// few bucket sizes keep the activation pool small) and slides by one token per step once it is full,
// where the KV path slides by a quarter of the context at a time (see decode.ts).
import type { Gpt } from './gpt.ts';
import { KvDecoder, windowBucket } from './decode.ts';
import { Rng } from './reference/random.ts';
import { sampleToken, type SamplerSettings } from './sample.ts';

export interface GenerateOptions extends SamplerSettings {
  maxTokens: number;
  seed: number;
  /** Generation ends after emitting any of these ids (e.g. <|end|>). */
  stopIds?: number[];
  signal?: AbortSignal;
}

/** One generated token and the model's logits it was sampled from (the raw next-token scores, before
 *  temperature or truncation), for views that show candidates and probabilities. */
export interface GeneratedStep {
  id: number;
  logits: Float32Array;
}

/** Yields each new token with the logits it was sampled from (KV-cache decoding). */
export async function* generateSteps(model: Gpt, prompt: number[], o: GenerateOptions): AsyncGenerator<GeneratedStep> {
  if (o.maxTokens < 1 || o.signal?.aborted) return;
  const rng = new Rng(o.seed);
  const decoder = new KvDecoder(model, 1);
  try {
    let [logits] = await decoder.prefill([prompt]);
    for (let i = 0; ; i++) {
      if (o.signal?.aborted) return;
      const next = sampleToken(logits, o, rng);
      yield { id: next, logits };
      if (o.stopIds?.includes(next) || i + 1 >= o.maxTokens) return;
      [logits] = await decoder.step([next]);
    }
  } finally {
    decoder.release();
  }
}

/** generateSteps by recomputing the whole window for every token (the benchmark's baseline, tests' reference). */
export async function* generateStepsRecompute(model: Gpt, prompt: number[], o: GenerateOptions): AsyncGenerator<GeneratedStep> {
  const rng = new Rng(o.seed);
  const ctx = model.config.contextLength;
  const V = model.config.vocabSize;
  const ids = prompt.length ? [...prompt] : [0];
  for (let i = 0; i < o.maxTokens; i++) {
    if (o.signal?.aborted) return;
    const window = ids.slice(-ctx);
    const T = windowBucket(window.length, ctx);
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

export interface GenerateBatchOptions extends GenerateOptions {
  /** Per-row stop ids (replacing stopIds for that row). */
  rowStopIds?: number[][];
  /** Per-row token limits (replacing maxTokens for that row). */
  rowMaxTokens?: number[];
  /** Per-row sampling seeds; default seed + 7919·row. */
  rowSeeds?: number[];
}

export interface BatchGeneration {
  /** The generated ids of each row (the stop id included when the row stopped on one). */
  ids: number[][];
  /** log π(id) of each generated id under the model's raw logits (temperature 1, no truncation), whatever
   *  sampler settings chose it: what PPO's probability ratio needs. */
  logprobs: number[][];
  /** The row ended on one of its stop ids (else it reached its token limit or was aborted). */
  stopped: boolean[];
}

/** log softmax(logits)[id], in float64. */
export function logProbOf(logits: ArrayLike<number>, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[id] - max - Math.log(sum);
}

/**
 * Decodes every prompt at once (one KV-cache step per token for all rows still going). Each row samples
 * with its own generator (rowSeeds, default seed + 7919·row), so a row's text does not depend on the other
 * rows and the same seed gives the same text. A row stops after one of its stop ids or its token limit; the
 * others go on.
 */
export async function generateBatch(model: Gpt, prompts: number[][], o: GenerateBatchOptions): Promise<BatchGeneration> {
  const R = prompts.length;
  const out: BatchGeneration = { ids: prompts.map(() => []), logprobs: prompts.map(() => []), stopped: prompts.map(() => false) };
  const limit = (r: number) => o.rowMaxTokens?.[r] ?? o.maxTokens;
  const stops = (r: number) => o.rowStopIds?.[r] ?? o.stopIds ?? [];
  const done = prompts.map((_, r) => limit(r) < 1);
  if (R === 0 || done.every(Boolean) || o.signal?.aborted) return out;
  const rngs = prompts.map((_, r) => new Rng(o.rowSeeds?.[r] ?? o.seed + 7919 * r));
  const decoder = new KvDecoder(model, R);
  try {
    let logits = await decoder.prefill(prompts);
    while (!o.signal?.aborted) {
      const next = new Array<number>(R).fill(-1);
      for (let r = 0; r < R; r++) {
        if (done[r]) continue;
        const id = sampleToken(logits[r], o, rngs[r]);
        out.ids[r].push(id);
        out.logprobs[r].push(logProbOf(logits[r], id));
        if (stops(r).includes(id)) out.stopped[r] = done[r] = true;
        else if (out.ids[r].length >= limit(r)) done[r] = true;
        else next[r] = id;
      }
      if (done.every(Boolean)) break;
      logits = await decoder.step(next);
    }
  } finally {
    decoder.release();
  }
  return out;
}

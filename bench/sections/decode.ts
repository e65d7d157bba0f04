// Token generation speed: KV-cache decoding (generateSteps → KvDecoder: one small forward of one row per
// token) against recomputing the full window for every token (generateStepsRecompute), greedy, on untrained
// models with a 65-token (character) vocabulary:
//   context 64:  baby-cpu (4 layers, 4 heads, 128 dims)
//   context 256: baby     (6 layers, 6 heads, 384 dims)
// The prompt fills 3/4 of the context, so every recompute forward runs the full-context bucket and no
// slide happens. Rates are steady state: the clock starts after the first token (a full forward on both
// paths: the KV prefill, or the first recompute) and stops after the last; both include the per-token
// logits read and the host-side sampling.
import { Gpt } from '../../src/model/gpt.ts';
import { initParams, paramCount, type GptConfig } from '../../src/model/config.ts';
import { generateSteps, generateStepsRecompute, type GenerateOptions, type GeneratedStep } from '../../src/model/generate.ts';
import { getPreset } from '../../src/model/train/presets.ts';
import type { BenchContext, BenchSection } from '../types.ts';

export interface DecodeRow {
  context: number;
  model: string;
  params: number;
  kv_tokens_per_s: number;
  recompute_tokens_per_s: number;
  /** kv / recompute. */
  speedup: number;
  /** Tokens timed on each path (after the first). */
  kv_tokens: number;
  recompute_tokens: number;
}

const VOCAB = 65;

type Steps = (model: Gpt, prompt: number[], o: GenerateOptions) => AsyncGenerator<GeneratedStep>;

/** Tokens per second of `steps` over n tokens after the first. */
async function rate(steps: Steps, model: Gpt, prompt: number[], n: number): Promise<number> {
  const o = { temperature: 0, topK: 0, topP: 1, seed: 1, maxTokens: n + 1 };
  let t0 = 0;
  let count = -1;
  for await (const _ of steps(model, prompt, o)) {
    if (++count === 0) t0 = performance.now();
  }
  if (count !== n) throw new Error(`decode bench: generated ${count + 1} tokens, expected ${n + 1}`);
  return n / ((performance.now() - t0) / 1000);
}

async function measure(ctx: BenchContext, presetName: string, recomputeTokens: number): Promise<DecodeRow> {
  const p = getPreset(presetName);
  const config: GptConfig = { vocabSize: VOCAB, contextLength: p.context, layers: p.layers, heads: p.heads, channels: p.channels };
  const model = new Gpt(ctx.gpu, config, initParams(config, 1337));
  const promptLen = (3 * p.context) / 4;
  const prompt = Array.from({ length: promptLen }, (_, i) => (i * 31 + 7) % VOCAB);
  const kvTokens = p.context - promptLen - 1; // fills the context exactly: no slide
  // Warm-up: compiles every pipeline of both paths.
  await rate(generateSteps, model, prompt, 2);
  await rate(generateStepsRecompute, model, prompt, 0);
  const kv = await rate(generateSteps, model, prompt, kvTokens);
  ctx.log(`decode ctx ${p.context}: KV ${kv.toFixed(1)} tok/s`);
  const re = await rate(generateStepsRecompute, model, prompt, recomputeTokens);
  ctx.log(`decode ctx ${p.context}: recompute ${re.toFixed(2)} tok/s (×${(kv / re).toFixed(1)})`);
  model.release();
  ctx.gpu.trimPool();
  return {
    context: p.context,
    model: `${p.name} (${p.layers}L ${p.heads}H ${p.channels}C, vocab ${VOCAB})`,
    params: paramCount(config),
    kv_tokens_per_s: kv,
    recompute_tokens_per_s: re,
    speedup: kv / re,
    kv_tokens: kvTokens,
    recompute_tokens: recomputeTokens,
  };
}

const section: BenchSection<DecodeRow[]> = {
  key: 'decode',
  order: 60,
  async run(ctx) {
    const quick = !!ctx.options.quick;
    return [await measure(ctx, 'baby-cpu', quick ? 4 : 15), await measure(ctx, 'baby', quick ? 2 : 4)];
  },
  report(rows) {
    return [
      'context  model                                        KV tok/s  recompute tok/s  speedup',
      ...rows.map(
        (r) =>
          `${String(r.context).padStart(7)}  ${r.model.padEnd(43)}  ${r.kv_tokens_per_s.toFixed(1).padStart(8)}  ${r.recompute_tokens_per_s.toFixed(2).padStart(15)}  ×${r.speedup.toFixed(1)}`,
      ),
    ];
  },
};

export default section;

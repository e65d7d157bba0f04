// KV-cache decoding (src/model/decode.ts, generate.ts) against the full forward: logits at every step for
// several rows of different lengths (through slides past the context and rows sitting steps out), greedy
// generation token for token against the recompute path, and the batched generator's seeding and stops.
import { describe, it, expect } from 'vitest';
import { batchedTestGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs } from '../helpers/compare.ts';
import { Gpt } from '../../src/model/gpt.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { KvDecoder, windowBucket } from '../../src/model/decode.ts';
import { generateBatch, generateSteps, generateStepsRecompute, logProbOf } from '../../src/model/generate.ts';
import type { Rng } from '../../src/model/reference/random.ts';

// Awkward sizes: vocab, context and head size are multiples of no tile size.
const CFG: GptConfig = { vocabSize: 67, contextLength: 22, layers: 2, heads: 3, channels: 30 };

/** GPT-2 init with larger attention weights (peaky, position-dependent attention) and perturbed biases and
 *  gains, so that a wrong key, position or cache row shows in the logits. */
function makeModel(gpu: Awaited<ReturnType<typeof batchedTestGpu>>, seed: number, rng: Rng): Gpt {
  const p = initParams(CFG, seed);
  for (const [k, v] of p) {
    if (k.endsWith('bias')) v.set(rng.uniform(v.length, -0.1, 0.1));
    else if (/ln_.*weight/.test(k)) v.set(rng.uniform(v.length, 0.8, 1.2));
    else if (/c_attn.weight|wpe|wte/.test(k)) for (let i = 0; i < v.length; i++) v[i] *= 10;
  }
  return new Gpt(gpu, CFG, p);
}

/** The full forward's next-token logits after `window` (padded to its bucket, like generation does). */
async function fullForwardLogits(model: Gpt, window: number[]): Promise<Float32Array> {
  const T = windowBucket(window.length, CFG.contextLength);
  const tokens = new Uint32Array(T);
  tokens.set(window);
  const a = model.forward(tokens, 1, T);
  return (await a.logits.read((window.length - 1) * CFG.vocabSize, CFG.vocabSize)) as Float32Array;
}

// fp32 through two layers, different reduction orders (one-query attention vs the fused kernel, few-rows
// linear vs tiled matmul): 1e-4 of the logits' magnitude.
const close = (got: Float32Array, want: Float32Array, label: string, seed: number) =>
  expectClose(got, want, { rtol: 1e-4, atol: 1e-4 * maxAbs(want), label, seed });

describe('KvDecoder', () => {
  it('matches the full forward at every step: rows of different lengths, slides, rows sitting out', async () => {
    const gpu = await batchedTestGpu();
    const { rng, seed } = freshRng();
    const model = makeModel(gpu, seed, rng);
    const ctx = CFG.contextLength;
    // lengths 1, 6, 13 and one longer than the context (keeps its last ctx tokens, slides on its first step)
    const prompts = [1, 6, 13, ctx + 5].map((n) => Array.from({ length: n }, () => rng.int(CFG.vocabSize)));
    const dec = new KvDecoder(model, prompts.length);
    expect(dec.keepOnSlide).toBe(Math.floor((3 * ctx) / 4));
    let logits = await dec.prefill(prompts);
    expect(dec.window(3)).toEqual(prompts[3].slice(-ctx));
    const slides = new Array<number>(prompts.length).fill(0);
    for (let step = 0; step <= ctx + 2; step++) {
      for (let r = 0; r < prompts.length; r++) close(logits[r], await fullForwardLogits(model, dec.window(r)), `step ${step} row ${r}`, seed);
      // row 1 sits out every third step: its window must not move
      const ids = prompts.map((_, r) => (r === 1 && step % 3 === 1 ? -1 : rng.int(CFG.vocabSize)));
      const before = prompts.map((_, r) => dec.window(r));
      logits = await dec.step(ids);
      for (let r = 0; r < prompts.length; r++) {
        const w = dec.window(r);
        if (ids[r] < 0) expect(w, `row ${r} sat out`).toEqual(before[r]);
        else if (before[r].length === ctx) {
          slides[r]++;
          expect(w, `row ${r} slid`).toEqual([...before[r], ids[r]].slice(-dec.keepOnSlide));
        } else expect(w).toEqual([...before[r], ids[r]]);
      }
    }
    // every row but the shortest reached the context and slid at least once
    expect(slides.slice(1).every((n) => n >= 1), `slides per row: ${slides}`).toBe(true);
    for (let r = 0; r < prompts.length; r++) close(logits[r], await fullForwardLogits(model, dec.window(r)), `last step row ${r}`, seed);
    dec.release();
    model.release();
  });

  it('rejects ids outside the vocabulary and wrong row counts', async () => {
    const gpu = await batchedTestGpu();
    const { rng, seed } = freshRng();
    const model = makeModel(gpu, seed, rng);
    const dec = new KvDecoder(model, 2);
    await expect(dec.prefill([[1, 2]])).rejects.toThrow(/2 rows/);
    await expect(dec.prefill([[1], [CFG.vocabSize]])).rejects.toThrow(/vocabulary/);
    await dec.prefill([[1], [2, 3]]);
    await expect(dec.step([1.5, 2])).rejects.toThrow(/vocabulary/);
    dec.release();
    await expect(dec.step([1, 2])).rejects.toThrow(/release/);
    model.release();
  });
});

describe('generation with the KV cache', () => {
  it('greedy decoding equals greedy recompute token for token', async () => {
    const gpu = await batchedTestGpu();
    const { rng, seed } = freshRng();
    const model = makeModel(gpu, seed, rng);
    const prompt = Array.from({ length: 5 }, () => rng.int(CFG.vocabSize));
    const o = { temperature: 0, topK: 0, topP: 1, seed: 1, maxTokens: CFG.contextLength - prompt.length };
    const kv = [];
    for await (const s of generateSteps(model, prompt, o)) kv.push(s);
    const re = [];
    for await (const s of generateStepsRecompute(model, prompt, o)) re.push(s);
    expect(kv.length).toBe(o.maxTokens);
    expect(re.length).toBe(o.maxTokens);
    for (let i = 0; i < kv.length; i++) {
      close(kv[i].logits, re[i].logits, `token ${i} logits`, seed);
      if (kv[i].id !== re[i].id) {
        // Only a near-tie between the two best logits may legitimately flip an argmax in fp32.
        const sorted = [...re[i].logits].sort((a, b) => b - a);
        expect(sorted[0] - sorted[1], `token ${i}: KV ${kv[i].id} vs recompute ${re[i].id} (seed ${seed})`).toBeLessThan(1e-4 * maxAbs(re[i].logits));
        break;
      }
    }
    model.release();
  });

  it('generateBatch: rows equal single-row generation with their seeds; stops per row; logprobs', async () => {
    const gpu = await batchedTestGpu();
    const { rng, seed } = freshRng();
    const model = makeModel(gpu, seed, rng);
    const prompts = [3, 1, 9].map((n) => Array.from({ length: n }, () => rng.int(CFG.vocabSize)));
    const o = { temperature: 1, topK: 0, topP: 1, seed: 42, maxTokens: 12 };
    const a = await generateBatch(model, prompts, o);
    const b = await generateBatch(model, prompts, o);
    expect(b.ids).toEqual(a.ids); // same seed → same text
    for (let r = 0; r < prompts.length; r++) {
      expect(a.ids[r].length).toBe(o.maxTokens);
      const single = [];
      for await (const s of generateSteps(model, prompts[r], { ...o, seed: o.seed + 7919 * r })) single.push(s);
      expect(a.ids[r], `row ${r}`).toEqual(single.map((s) => s.id));
      const want = single.map((s) => logProbOf(s.logits, s.id));
      expectClose(a.logprobs[r], want, { rtol: 1e-5, atol: 1e-5, label: `row ${r} logprobs`, seed });
      expect(a.logprobs[r].every((lp) => lp <= 0)).toBe(true);
    }
    // Per-row stops: row 0 stops at its third token's id, row 2 at its fifth's; row 1 has a limit of 4.
    const stop0 = a.ids[0][2];
    const stop2 = a.ids[2][4];
    const c = await generateBatch(model, prompts, { ...o, rowStopIds: [[stop0], [], [stop2]], rowMaxTokens: [12, 4, 12] });
    expect(c.ids[0]).toEqual(a.ids[0].slice(0, a.ids[0].indexOf(stop0) + 1));
    expect(c.ids[1]).toEqual(a.ids[1].slice(0, 4));
    expect(c.ids[2]).toEqual(a.ids[2].slice(0, a.ids[2].indexOf(stop2) + 1));
    expect(c.stopped).toEqual([true, false, true]);
    model.release();
  });
});

// Loss only on the assistant's tokens, checked through the whole GPU model (Dawn in Node): an SFT batch
// whose weights mask the prompt gives exactly the gradient of the answer-only loss,
//   L(θ) = mean over answer positions A of −log softmax(logits_t)[target_t],
// where A is found from the chat template's spans (not from the batch's weights). Checked three ways:
// (1) the prompt positions' d(loss)/d(logits) are exactly zero, so (2) changing the prompt positions'
// targets changes no gradient, and (3) the GPU gradients match central finite differences of L computed
// in float64 by the reference forward pass, at random coordinates of every parameter tensor.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { fd, freshRng } from '../helpers/compare.ts';
import { Gpt } from '../../src/model/gpt.ts';
import { initParams, paramSpecs, type GptConfig } from '../../src/model/config.ts';
import * as ref from '../../src/model/reference/gpt.ts';
import { encodeChat } from '../../src/model/sft/chat.ts';
import { makeSftBatch } from '../../src/model/sft/batch.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import type { Rng } from '../../src/model/reference/random.ts';

const ALPHABET = 'abcdefghij klmnop?.';
const T = 13;
const B = 3;

function randomText(rng: Rng, min: number, max: number): string {
  const n = min + rng.int(max - min + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[rng.int(ALPHABET.length)];
  return s.trim() === '' ? 'a' + s.slice(1) : s;
}

/** Log-softmax of one row, in float64. */
function logSoftmax(row: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return row.map((v) => v - lse);
}

describe('SFT masking through the model', () => {
  it('prompt tokens receive zero gradient: masked-batch gradients equal those of the answer-only loss', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const tok = buildCharTokenizer(ALPHABET);
    const cfg: GptConfig = { vocabSize: tok.vocabSize, contextLength: 16, layers: 1, heads: 2, channels: 8 };
    // One example per row (pack: false), so each row's answer positions follow from its own spans.
    const examples = Array.from({ length: B }, () => {
      const conv = { messages: [{ role: 'user' as const, content: randomText(rng, 1, 5) }, { role: 'assistant' as const, content: randomText(rng, 1, 4) }] };
      return encodeChat(tok, conv);
    });
    let next = 0;
    const batch = makeSftBatch(examples, B, T, { next: () => (next++ % B) / B + 1e-9 }, { pack: false });
    expect(batch.examples).toBe(B);

    // Answer positions from the spans: position t predicts stream id t+1; the assistant span's ids after its
    // <|assistant|> marker (content and the closing <|end|>) are the trained targets.
    const answerPos = new Set<number>();
    examples.forEach((ex, b) => {
      for (const s of ex.spans) if (s.role === 'assistant') for (let i = s.start + 1; i < s.end; i++) if (i - 1 < T) answerPos.add(b * T + i - 1);
    });
    expect(answerPos.size).toBeGreaterThan(0);
    expect(answerPos.size).toBeLessThan(B * T);
    for (let i = 0; i < B * T; i++) expect(batch.weights[i], `weight ${i}`).toBe(answerPos.has(i) ? 1 : 0);

    const values = initParams(cfg, seed);
    for (const [k, v] of values) if (k.endsWith('bias')) v.set(rng.uniform(v.length, -0.1, 0.1));
    const model = new Gpt(gpu, cfg, values);
    const gradsOf = async (targets: ArrayLike<number>) => {
      model.zeroGrads();
      const acts = model.forwardBackward({ tokens: batch.tokens, targets, weights: batch.weights, B, T });
      const dlogits = await acts.dlogits.read();
      const grads = new Map<string, Float32Array>();
      for (const s of paramSpecs(cfg)) grads.set(s.name, (await model.grads.get(s.name)!.read()) as Float32Array);
      return { dlogits, grads };
    };

    // (1) d(loss)/d(logits) is exactly zero on every prompt (and padding) position.
    const first = await gradsOf(batch.targets);
    const V = cfg.vocabSize;
    for (let i = 0; i < B * T; i++) {
      if (answerPos.has(i)) continue;
      for (let v = 0; v < V; v++) expect(first.dlogits[i * V + v], `dlogits[${i}, ${v}] (seed ${seed})`).toBe(0);
    }

    // (2) Other targets on the prompt positions change no gradient at all.
    const scrambled = Uint32Array.from(batch.targets, (x, i) => (answerPos.has(i) ? x : rng.int(V)));
    const second = await gradsOf(scrambled);
    for (const [name, g] of first.grads) expect(Array.from(second.grads.get(name)!), `${name} (seed ${seed})`).toEqual(Array.from(g));

    // (3) Central differences of the answer-only loss in float64.
    const p64 = new Map([...values].map(([k, v]) => [k, Float64Array.from(v)]));
    const answerLoss = (): number => {
      const { logits } = ref.forward(cfg, p64, { tokens: batch.tokens, targets: batch.targets, B, T });
      let sum = 0;
      for (const i of answerPos) sum -= logSoftmax(logits.subarray(i * V, (i + 1) * V))[batch.targets[i]];
      return sum / answerPos.size;
    };
    const h = 1e-4;
    for (const s of paramSpecs(cfg)) {
      const p = p64.get(s.name)!;
      const g = first.grads.get(s.name)!;
      for (let k = 0; k < 3; k++) {
        const j = rng.int(p.length);
        const numeric = fd(answerLoss, p, j, h);
        // fp32 gradients against a float64 difference quotient: 2e-3 absolute plus 2% relative.
        expect(Math.abs(g[j] - numeric), `${s.name}[${j}]: GPU ${g[j]}, finite difference ${numeric} (seed ${seed})`).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
      }
    }
  });
});

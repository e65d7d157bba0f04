// The whole GPU GPT against the float64 reference (as llm.c's test_gpt2 checks against PyTorch): logits,
// loss and every parameter's gradient of one step, then ten AdamW steps with clipping.
import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs } from '../helpers/compare.ts';
import { Gpt } from '../../src/model/gpt.ts';
import { AdamW } from '../../src/model/optimizer.ts';
import { initParams, paramSpecs, type GptConfig } from '../../src/model/config.ts';
import * as ref from '../../src/model/reference/gpt.ts';
import type { Rng } from '../../src/model/reference/random.ts';

// Awkward sizes on purpose: vocab, sequence length and batch are multiples of no tile size.
const CFG: GptConfig = { vocabSize: 67, contextLength: 16, layers: 2, heads: 2, channels: 16 };
const B = 2;
const T = 13;

function makeBatch(rng: Rng) {
  const N = B * T;
  return {
    tokens: Array.from({ length: N }, () => rng.int(CFG.vocabSize)),
    targets: Array.from({ length: N }, () => rng.int(CFG.vocabSize)),
    weights: Array.from({ length: N }, (_, i) => (i % 5 === 2 ? 0 : 1)), // some masked positions (SFT)
    B,
    T,
  };
}

/** GPT-2 init, with biases and LayerNorm gains perturbed so every gradient path carries signal. */
function makeParams(seed: number, rng: Rng): Map<string, Float32Array> {
  const p = initParams(CFG, seed);
  for (const [k, v] of p) {
    if (k.endsWith('bias')) v.set(rng.uniform(v.length, -0.1, 0.1));
    else if (/ln_.*weight/.test(k)) v.set(rng.uniform(v.length, 0.8, 1.2));
  }
  return p;
}

const toF64 = (m: Map<string, Float32Array>) => new Map([...m].map(([k, v]) => [k, Float64Array.from(v)]));

describe('GPU GPT vs float64 reference', () => {
  it('forward (logits, loss) and backward (every parameter gradient)', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const values = makeParams(seed, rng);
    const batch = makeBatch(rng);
    const model = new Gpt(gpu, CFG, values);
    const acts = model.forwardBackward(batch);
    const refParams = toF64(values);
    const fwd = ref.forward(CFG, refParams, batch);
    const grads = ref.backward(CFG, refParams, batch, fwd);

    const logits = await acts.logits.read();
    // fp32 through two layers: 1e-4 of the logits' magnitude
    expectClose(logits, fwd.logits, { atol: 1e-4 * maxAbs(fwd.logits), rtol: 1e-4, label: 'logits', seed });
    const losses = await acts.losses.read();
    expectClose(losses, fwd.losses, { rtol: 1e-4, atol: 1e-5, label: 'per-position losses', seed });
    for (const s of paramSpecs(CFG)) {
      const got = await model.grads.get(s.name)!.read();
      const want = grads.get(s.name)!;
      // gradients are sums over the batch: judged at 1e-3 of the tensor's largest gradient
      expectClose(got, want, { atol: 1e-3 * maxAbs(want) + 1e-7, rtol: 1e-3, label: `grad ${s.name}`, seed });
    }
    model.release();
  });

  it('ten AdamW steps with clipping and weight decay track the reference', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const values = makeParams(seed, rng);
    const batch = makeBatch(rng);
    const model = new Gpt(gpu, CFG, values);
    const hyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 };
    const opt = new AdamW(gpu, model.specs, model.params, hyper);
    const refParams = toF64(values);
    const state: ref.TrainState = { m: new Map(), v: new Map(), step: 0 };
    const decay = new Map(model.specs.map((s) => [s.name, s.decay]));
    const lr = 1e-2;
    const losses: number[] = [];
    for (let step = 0; step < 10; step++) {
      model.zeroGrads();
      const acts = model.forwardBackward(batch);
      opt.update(model.params, model.grads, lr);
      const gpuLosses = await acts.losses.read();
      let s = 0;
      let w = 0;
      batch.weights.forEach((wi, i) => ((s += wi * gpuLosses[i]), (w += wi)));
      const want = ref.trainStep(CFG, refParams, state, batch, { ...hyper, lr, decay: (n) => decay.get(n)! });
      expect(Math.abs(s / w - want.loss), `loss at step ${step} (TEST_SEED=${seed})`).toBeLessThan(1e-4 * want.loss);
      expect(Math.abs((await opt.gradNorm()) - want.gradNorm), `grad norm at step ${step}`).toBeLessThan(1e-3 * want.gradNorm);
      losses.push(want.loss);
    }
    expect(losses[9]).toBeLessThan(losses[0]); // it learned something
    const params = await model.readParams();
    for (const [name, v] of params) {
      // Adam's update is ±lr for tiny gradients, so fp32 noise can move a weight by ~lr: judged at 1e-3 absolute.
      expectClose(v, refParams.get(name)!, { atol: 1e-3, rtol: 1e-3, label: `param ${name} after 10 steps`, seed });
    }
    opt.release();
    model.release();
  });
});

// The scalar head (reward model's `score`, PPO's value head): its float64 reference against finite
// differences, then the GPU path — scores from the ln_f rows, d(lnf) written into a.dln (overwriting or
// accumulating), and the trunk's gradient through backwardFromFinalNorm against finite differences of the
// float64 reference GPT.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, fd } from '../helpers/compare.ts';
import { scalarHeadBackward, scalarHeadForward } from '../../src/model/reference/rlhf.ts';
import * as ref from '../../src/model/reference/gpt.ts';
import { Gpt } from '../../src/model/gpt.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { ScalarHead } from '../../src/model/rlhf/scalar-head.ts';
import type { Rng } from '../../src/model/reference/random.ts';

describe('scalar head reference', () => {
  it('gradients of a nonlinear loss of the scores match finite differences', () => {
    const { rng, seed } = freshRng();
    for (const [n, C] of [[1, 1], [7, 13], [5, 65]]) {
      const h = rng.normals(n * C);
      const w = rng.normals(C);
      const bias = Float64Array.of(rng.normal());
      const c = rng.normals(n);
      // L = Σ c_i r_i² → dL/dr_i = 2 c_i r_i
      const loss = () => scalarHeadForward(h, w, bias[0], n, C).reduce((s, r, i) => s + c[i] * r * r, 0);
      const r = scalarHeadForward(h, w, bias[0], n, C);
      const g = scalarHeadBackward(h, w, r.map((ri, i) => 2 * c[i] * ri), n, C);
      const fdOf = (x: Float64Array) => Float64Array.from(x, (_, i) => fd(loss, x, i, 1e-6));
      expectClose(g.dw, fdOf(w), { rtol: 1e-6, atol: 1e-7, seed, label: `dw n=${n} C=${C}` });
      expectClose(g.dh, fdOf(h), { rtol: 1e-6, atol: 1e-7, seed, label: `dh n=${n} C=${C}` });
      expect(Math.abs(g.db - fd(loss, bias, 0, 1e-6)), `db (TEST_SEED=${seed})`).toBeLessThan(1e-6 * (1 + Math.abs(g.db)));
    }
  });
});

const CFG: GptConfig = { vocabSize: 23, contextLength: 8, layers: 1, heads: 2, channels: 12 };
const B = 3;
const T = 7;

function makeParams(seed: number, rng: Rng): Map<string, Float32Array> {
  const p = initParams(CFG, seed);
  for (const [k, v] of p) {
    if (k.endsWith('bias')) v.set(rng.uniform(v.length, -0.1, 0.1));
    else if (/ln_.*weight/.test(k)) v.set(rng.uniform(v.length, 0.8, 1.2));
    else v.set(rng.normals(v.length, 0.3)); // larger than GPT-2 init so every path carries signal
  }
  return p;
}

describe('scalar head on the GPU', () => {
  it('scores, head gradients, and the trunk gradient through backwardFromFinalNorm', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const values = makeParams(seed, rng);
    const tokens = Array.from({ length: B * T }, () => rng.int(CFG.vocabSize));
    // distinct rows, not sorted, one of them listed twice (its gradients add up)
    const positions = [2 * T + 6, 0 * T + 3, 1 * T + 6, 0 * T + 3];
    const dScores = rng.normals(positions.length);
    const model = new Gpt(gpu, CFG, values);
    const head = new ScalarHead(CFG.channels, { bias: true, seed: seed ^ 7, initStd: 0.5 });
    head.b = 0.25;

    const a = model.forward(tokens, B, T);
    const scores = await head.forward(a, positions);
    const refParams = new Map([...values].map(([k, v]) => [k, Float64Array.from(v)]));
    const batch = { tokens, targets: tokens, B, T };
    const C = CFG.channels;
    const rowsOf = (lnf: Float64Array) => Float64Array.from({ length: positions.length * C }, (_, k) => lnf[positions[Math.floor(k / C)] * C + (k % C)]);
    const lnf = ref.forward(CFG, refParams, batch).acts.lnf.out;
    const rows = rowsOf(lnf);
    expectClose(scores, scalarHeadForward(rows, head.w, head.b, positions.length, C), { rtol: 1e-4, atol: 1e-5, seed, label: 'scores' });

    model.zeroGrads();
    head.zeroGrad();
    head.backward(a, positions, dScores);
    const dln = await a.dln.read();
    const want = scalarHeadBackward(rows, head.w, dScores, positions.length, C);
    const wantDln = new Float64Array(B * T * C);
    positions.forEach((p, i) => {
      for (let c = 0; c < C; c++) wantDln[p * C + c] += want.dh[i * C + c];
    });
    expectClose(dln, wantDln, { rtol: 1e-5, atol: 1e-6, seed, label: 'd(lnf), overwritten (zero elsewhere)' });
    expectClose(head.dw, want.dw, { rtol: 1e-4, atol: 1e-5 * maxAbs(want.dw), seed, label: 'dw' });
    expect(Math.abs(head.db - want.db)).toBeLessThan(1e-9);

    // The trunk: L(θ) = Σ dScore_i·(w·lnf_{p_i}(θ) + b), differentiated numerically in float64.
    model.backwardFromFinalNorm(a);
    const L = () => {
      const r = scalarHeadForward(rowsOf(ref.forward(CFG, refParams, batch).acts.lnf.out), head.w, head.b, positions.length, C);
      return r.reduce((s, ri, i) => s + dScores[i] * ri, 0);
    };
    for (const [name, p] of refParams) {
      const got = await model.grads.get(name)!.read();
      // every element of small tensors, a random sample of the larger ones
      const idx = p.length <= 48 ? [...p.keys()] : Array.from({ length: 24 }, () => rng.int(p.length));
      const fdVals = idx.map((i) => fd(L, p, i, 1e-5));
      const scale = Math.max(maxAbs(fdVals), maxAbs(got));
      expectClose(idx.map((i) => got[i]), fdVals, { rtol: 2e-3, atol: 2e-3 * scale + 1e-6, seed, label: `grad ${name}` });
    }

    // accumulate: d(lnf) is ADDED to what a.dln holds (PPO's value head after lmHeadBackward)
    const base = rng.normals(B * T * C);
    gpu.upload(a.dln, Float32Array.from(base));
    head.backward(a, positions, dScores, { accumulate: true });
    expectClose(await a.dln.read(), base.map((v, i) => v + wantDln[i]), { rtol: 1e-5, atol: 1e-5, seed, label: 'd(lnf), accumulated' });
    expectClose(head.dw, want.dw.map((v) => 2 * v), { rtol: 1e-4, atol: 1e-5 * maxAbs(want.dw), seed, label: 'dw accumulates' });
    head.release();
    model.release();
  });

  it('saves and loads through checkpoint tensors; AdamW moves it downhill', () => {
    const head = new ScalarHead(5, { bias: true, name: 'v_head', seed: 3 });
    head.b = 0.5;
    const { tensors, shapes } = head.tensors();
    expect([...tensors.keys()]).toEqual(['v_head.weight', 'v_head.bias']);
    expect(shapes.get('v_head.weight')).toEqual([1, 5]);
    const other = new ScalarHead(5, { bias: true, name: 'v_head', seed: 99 });
    other.load(tensors);
    expectClose(other.w, Float32Array.from(head.w), { rtol: 0, atol: 0 });
    expect(other.b).toBe(0.5);
    expect(() => new ScalarHead(6, { name: 'v_head' }).load(tensors)).toThrow(/5 values; the model has 6 channels/);
    expect(() => new ScalarHead(5).load(tensors)).toThrow(/no "score.weight"/);
    // minimise (r − 3)² for one fixed row
    const row = [1, -2, 0.5, 0, 1];
    const lossOf = () => (head.scoreRows(row, 1)[0] - 3) ** 2;
    const before = lossOf();
    for (let i = 0; i < 50; i++) {
      head.zeroGrad();
      const r = head.scoreRows(row, 1)[0];
      row.forEach((h, c) => (head.dw[c] += 2 * (r - 3) * h));
      head.db += 2 * (r - 3);
      head.update(0.05, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
    }
    expect(lossOf()).toBeLessThan(before / 10);
  });
});

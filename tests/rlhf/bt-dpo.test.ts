// The Bradley–Terry and DPO references on hand-computed cases and finite differences, then DPO's GPU
// gradient (sequence log-probs → coefficients → the weighted cross-entropy kernel with negative weights →
// backward) against finite differences of the float64 reference GPT.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, fd } from '../helpers/compare.ts';
import { bradleyTerry, dpoLoss, logSigmoid, sequenceLogProb, tokenLogprobs, type DpoPairLogProbs } from '../../src/model/reference/rlhf.ts';
import * as ref from '../../src/model/reference/gpt.ts';
import { Gpt } from '../../src/model/gpt.ts';
import { initParams, type GptConfig } from '../../src/model/config.ts';
import { sequenceLogitsGrad, sequenceLogProbs } from '../../src/model/rlhf/sequence-logprobs.ts';
import { logProbBatch } from '../../src/model/rlhf/pair-batch.ts';

describe('Bradley–Terry reference', () => {
  it('hand-computed cases', () => {
    const bt = bradleyTerry([2, 0], [0, 1]);
    expect(bt.loss).toBeCloseTo((Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(1))) / 2, 12);
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    expectClose(bt.dChosen, [-s(-2) / 2, -s(1) / 2], { rtol: 1e-12, atol: 0 });
    expectClose(bt.dRejected, [s(-2) / 2, s(1) / 2], { rtol: 1e-12, atol: 0 });
    expect(bt.accuracy).toBe(0.5);
    expect(bradleyTerry([1], [1]).loss).toBeCloseTo(Math.log(2), 12); // equal scores: log 2, counted wrong
    expect(bradleyTerry([1], [1]).accuracy).toBe(0);
    expect(bradleyTerry([800], [0]).loss).toBe(0); // no overflow
    expect(bradleyTerry([0], [800]).loss).toBeCloseTo(800, 9);
    expect(logSigmoid(-800)).toBe(-800);
  });

  it('gradient matches finite differences', () => {
    const { rng, seed } = freshRng();
    const c = rng.normals(7, 3);
    const r = rng.normals(7, 3);
    const { dChosen, dRejected } = bradleyTerry(c, r);
    const L = () => bradleyTerry(c, r).loss;
    expectClose(dChosen, Float64Array.from(c, (_, i) => fd(L, c, i, 1e-6)), { rtol: 1e-6, atol: 1e-9, seed });
    expectClose(dRejected, Float64Array.from(r, (_, i) => fd(L, r, i, 1e-6)), { rtol: 1e-6, atol: 1e-9, seed });
  });
});

describe('DPO reference', () => {
  it('hand-computed case', () => {
    // Δ = (−1 − −2) − (−3 − −2) = 2, β = ½ → z = 1
    const d = dpoLoss([{ chosen: -1, refChosen: -2, rejected: -3, refRejected: -2 }], 0.5);
    expect(d.loss).toBeCloseTo(Math.log1p(Math.exp(-1)), 12);
    const g = 0.5 / (1 + Math.exp(1)); // β·σ(−z)
    expect(d.dChosen[0]).toBeCloseTo(-g, 12);
    expect(d.dRejected[0]).toBeCloseTo(g, 12);
    expect(d.rewardAccuracy).toBe(1);
    // at the reference (policy = reference) the loss is log 2 whatever β
    expect(dpoLoss([{ chosen: -5, refChosen: -5, rejected: -1, refRejected: -1 }], 3).loss).toBeCloseTo(Math.log(2), 12);
    expect(() => dpoLoss([], 1)).toThrow(/no pairs/);
    expect(() => dpoLoss([{ chosen: 0, refChosen: 0, rejected: 0, refRejected: 0 }], 0)).toThrow(/β/);
    expect(() => dpoLoss([{ chosen: 0, refChosen: 0, rejected: 0, refRejected: 0 }], 1, -1)).toThrow(/NLL weight/);
  });

  it('hand-computed case with the NLL term on the chosen answer (RPO)', () => {
    // as above, plus η = 2 on a 4-token chosen answer: nll = 1/4, loss += 2·¼, d/dlogπ(c) −= 2/4
    const d = dpoLoss([{ chosen: -1, refChosen: -2, rejected: -3, refRejected: -2, chosenTokens: 4 }], 0.5, 2);
    expect(d.nll).toBeCloseTo(0.25, 12);
    expect(d.loss).toBeCloseTo(Math.log1p(Math.exp(-1)) + 0.5, 12);
    const g = 0.5 / (1 + Math.exp(1));
    expect(d.dChosen[0]).toBeCloseTo(-g - 0.5, 12);
    expect(d.dRejected[0]).toBeCloseTo(g, 12);
  });

  it('gradient matches finite differences; sequence log-prob sums token log-probs', () => {
    const { rng, seed } = freshRng();
    const P = 5;
    const x = rng.normals(4 * P, 2);
    const lengths = Array.from({ length: P }, () => 1 + rng.int(9));
    const pairs = (): DpoPairLogProbs[] => Array.from({ length: P }, (_, i) => ({ chosen: x[4 * i], rejected: x[4 * i + 1], refChosen: x[4 * i + 2], refRejected: x[4 * i + 3], chosenTokens: lengths[i] }));
    const beta = 0.1 + rng.next();
    const eta = rng.next() < 0.5 ? 0 : 2 * rng.next();
    const d = dpoLoss(pairs(), beta, eta);
    const L = () => dpoLoss(pairs(), beta, eta).loss;
    for (let i = 0; i < P; i++) {
      expect(Math.abs(d.dChosen[i] - fd(L, x, 4 * i, 1e-6)), `TEST_SEED=${seed}`).toBeLessThan(1e-8);
      expect(Math.abs(d.dRejected[i] - fd(L, x, 4 * i + 1, 1e-6)), `TEST_SEED=${seed}`).toBeLessThan(1e-8);
    }
    const T = 9;
    const V = 11;
    const logits = rng.normals(T * V, 2);
    const targets = Array.from({ length: T }, () => rng.int(V));
    const mask = Array.from({ length: T }, (_, t) => (t >= 4 ? 1 : 0));
    const tok = tokenLogprobs(logits, targets, T, V);
    expect(sequenceLogProb(logits, targets, mask, T, V)).toBeCloseTo(tok.slice(4).reduce((a, b) => a + b, 0), 10);
  });
});

const CFG: GptConfig = { vocabSize: 19, contextLength: 12, layers: 1, heads: 2, channels: 8 };

describe('DPO on the GPU', () => {
  it('the gradient through the weighted cross-entropy path matches finite differences', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const values = initParams(CFG, seed);
    for (const [k, v] of values) if (!/ln_.*weight/.test(k)) v.set(rng.normals(v.length, 0.3));
    // P = 2 pairs of sequences of different lengths; the answer is the tail of each (mask on its targets)
    const seq = (n: number, answerFrom: number) => ({
      ids: Array.from({ length: n }, () => rng.int(CFG.vocabSize)),
      weights: Array.from({ length: n }, (_, t) => (t >= answerFrom ? 1 : 0)),
    });
    const rows = [seq(13, 6), seq(9, 4), seq(11, 5), seq(7, 5)]; // chosen 0, 1; rejected 2, 3
    const b = logProbBatch(rows, CFG.contextLength);
    const refLp = rng.normals(4, 2).map((v) => v - 10);
    const beta = 0.7;
    const eta = 0.8; // with RPO's NLL term on the chosen answers
    const P = 2;
    const model = new Gpt(gpu, CFG, values);
    model.zeroGrads();
    const { acts, logp, lengths } = await sequenceLogProbs(model, b);
    expect(Array.from(lengths)).toEqual([7, 5, 6, 2]);
    const lossOf = (lp: ArrayLike<number>) =>
      dpoLoss([0, 1].map((i) => ({ chosen: lp[i], rejected: lp[P + i], refChosen: refLp[i], refRejected: refLp[P + i], chosenTokens: lengths[i] })), beta, eta);

    const refParams = new Map([...values].map(([k, v]) => [k, Float64Array.from(v)]));
    const refLogp = () => {
      const logits = ref.forward(CFG, refParams, { tokens: b.tokens, targets: b.targets, B: b.B, T: b.T }).logits;
      return Array.from({ length: b.B }, (_, r) =>
        sequenceLogProb(logits.subarray(r * b.T * CFG.vocabSize), b.targets.subarray(r * b.T), b.mask.subarray(r * b.T), b.T, CFG.vocabSize));
    };
    expectClose(logp, refLogp(), { rtol: 1e-4, atol: 1e-4, seed, label: 'sequence log-probs' });
    const d = lossOf(logp);
    sequenceLogitsGrad(model, acts, b, [...d.dChosen, ...d.dRejected].map((g) => -g));
    model.backwardFromLogits(acts);
    const L = () => lossOf(refLogp()).loss;
    for (const [name, p] of refParams) {
      const got = await model.grads.get(name)!.read();
      const idx = p.length <= 40 ? [...p.keys()] : Array.from({ length: 20 }, () => rng.int(p.length));
      const want = idx.map((i) => fd(L, p, i, 1e-5));
      const scale = Math.max(maxAbs(want), maxAbs(got));
      expectClose(idx.map((i) => got[i]), want, { rtol: 2e-3, atol: 2e-3 * scale + 1e-7, seed, label: `grad ${name}` });
    }
    model.release();
  });
});

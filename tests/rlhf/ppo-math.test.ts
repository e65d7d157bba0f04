// The PPO math of src/model/reference/rlhf.ts: hand-computed cases, an independent formula for GAE, and
// finite differences for every gradient (on fresh random inputs, away from the clip kinks).
import { describe, expect, it } from 'vitest';
import {
  clippedSurrogate,
  clippedValueLoss,
  entropyRows,
  gae,
  klPerToken,
  leaveOneOutScores,
  ppoLogitsGrad,
  shapeRewards,
  tokenLogprobs,
  whiten,
} from '../../src/model/reference/rlhf.ts';
import { expectClose, fd, freshRng } from '../helpers/compare.ts';

describe('KL and reward shaping', () => {
  it('KL per token is logπ − logπref, and the score joins the last token', () => {
    expectClose(klPerToken([-1, -2, -0.5], [-1.5, -1, -0.5]), [0.5, -1, 0], { rtol: 0, atol: 1e-12 });
    expectClose(shapeRewards([0.1, -0.2, 0.3], 2, 0.5), [-0.05, 0.1, 1.85], { rtol: 0, atol: 1e-12 });
    expectClose(shapeRewards([0.4], -1, 0), [-1], { rtol: 0, atol: 1e-12 });
    expect(shapeRewards([], 3, 1).length).toBe(0);
    // per-token parts land on their tokens, the rest of the score on the last: −β·kl + [0.5, −0.25, 2 − 0.25]
    expectClose(shapeRewards([0.1, -0.2, 0.3], 2, 0.5, [0.5, -0.25]), [0.45, -0.15, 1.6], { rtol: 0, atol: 1e-12 });
    // the same total either way
    const dense = shapeRewards([0.1, -0.2, 0.3], 2, 0.5, [0.7, 0.1, -0.4]);
    expect(dense.reduce((a, b) => a + b, 0)).toBeCloseTo(shapeRewards([0.1, -0.2, 0.3], 2, 0.5).reduce((a, b) => a + b, 0), 12);
    expectClose(dense, [-0.05 + 0.7, 0.1 + 0.1, -0.15 - 0.4 + 1.6], { rtol: 0, atol: 1e-12 });
    expect(() => shapeRewards([0.1], 1, 0, [1, 2])).toThrow(/2 per-token rewards for 1 tokens/);
  });
});

describe('per-prompt leave-one-out baseline', () => {
  it('subtracts the mean of the other answers to the same prompt', () => {
    // prompt a: 4, 1, 1 → 4 − 1, 1 − 2.5, 1 − 2.5; prompt b: 2, 0 → 2, −2; prompt c alone keeps 3.
    const got = leaveOneOutScores([4, 2, 1, 0, 1, 3], ['a', 'b', 'a', 'b', 'a', 'c']);
    expectClose(got, [3, 2, -1.5, -2, -1.5, 3], { rtol: 0, atol: 1e-12 });
    // Every answer equally good: no signal left.
    expectClose(leaveOneOutScores([2.5, 2.5, 2.5], ['q', 'q', 'q']), [0, 0, 0], { rtol: 0, atol: 1e-12 });
    expect(() => leaveOneOutScores([1, 2], ['a'])).toThrow(/2 scores, 1 groups/);
  });
});

describe('GAE', () => {
  it('matches hand-computed advantages and returns', () => {
    // γ = λ = 1: A_t = (return to go) − V_t
    const full = gae([0, 0, 1], [0.5, 0.2, 0.1], 1, 1);
    expectClose(full.advantages, [0.5, 0.8, 0.9], { rtol: 0, atol: 1e-12 });
    expectClose(full.returns, [1, 1, 1], { rtol: 0, atol: 1e-12 });
    // λ = 0: one-step TD errors
    expectClose(gae([0, 0, 1], [0.5, 0.2, 0.1], 1, 0).advantages, [-0.3, -0.1, 0.9], { rtol: 0, atol: 1e-12 });
    // γ = λ = ½: δ = [−0.4, −0.15, 0.9]; A_1 = −0.15 + ¼·0.9, A_0 = −0.4 + ¼·A_1
    const half = gae([0, 0, 1], [0.5, 0.2, 0.1], 0.5, 0.5);
    expectClose(half.advantages, [-0.38125, 0.075, 0.9], { rtol: 0, atol: 1e-12 });
    expectClose(half.returns, [0.11875, 0.275, 1], { rtol: 0, atol: 1e-12 });
  });

  it('equals Σ_l (γλ)^l δ_{t+l} on random episodes', () => {
    const { rng, seed } = freshRng();
    for (const n of [1, 7, 33]) {
      const r = rng.normals(n);
      const v = rng.normals(n);
      const gamma = 0.5 + 0.5 * rng.next();
      const lambda = rng.next();
      const delta = Array.from({ length: n }, (_, t) => r[t] + gamma * (t + 1 < n ? v[t + 1] : 0) - v[t]);
      const want = delta.map((_, t) => {
        let s = 0;
        for (let l = 0; t + l < n; l++) s += (gamma * lambda) ** l * delta[t + l];
        return s;
      });
      const got = gae(r, v, gamma, lambda);
      expectClose(got.advantages, want, { rtol: 1e-10, atol: 1e-12, seed, label: `advantages n=${n}` });
      expectClose(got.returns, want.map((a, t) => a + v[t]), { rtol: 1e-10, atol: 1e-12, seed, label: `returns n=${n}` });
    }
  });

  it('whitening gives mean 0 and std 1', () => {
    const { rng } = freshRng();
    const w = whiten(rng.normals(65, 3).map((x) => x + 5));
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(1e-12);
    expect(Math.abs(std - 1)).toBeLessThan(1e-6);
  });
});

describe('clipped surrogate', () => {
  it('clips only in the direction the advantage pushes', () => {
    const l = Math.log;
    // ρ = 1.5, A = 1: min(1.5, 1.2) is the clipped term → no gradient
    let r = clippedSurrogate([l(1.5)], [0], [1], 0.2);
    expect(r.loss).toBeCloseTo(-1.2, 12);
    expect(r.dLogp[0]).toBe(0);
    expect(r.clipFraction).toBe(1);
    // ρ = 1.5, A = −1: min(−1.5, −1.2) = −1.5, unclipped: dL/dlogp = −ρA = 1.5
    r = clippedSurrogate([l(1.5)], [0], [-1], 0.2);
    expect(r.loss).toBeCloseTo(1.5, 12);
    expect(r.dLogp[0]).toBeCloseTo(1.5, 12);
    // ρ = 0.5, A = 1: unclipped 0.5 < 0.8 → gradient −0.5; ρ = 0.5, A = −1: clipped
    r = clippedSurrogate([l(0.5), l(0.5)], [0, 0], [1, -1], 0.2);
    expect(r.loss).toBeCloseTo((-0.5 + 0.8) / 2, 12);
    expectClose(r.dLogp, [-0.25, 0], { rtol: 0, atol: 1e-12 });
    expect(r.clipFraction).toBe(0.5);
    expect(r.approxKl).toBeCloseTo(0.5 * l(0.5) ** 2, 12);
  });

  it('gradient matches finite differences', () => {
    const { rng, seed } = freshRng();
    const M = 37;
    const eps = 0.2;
    const old = rng.normals(M);
    const adv = rng.normals(M);
    const logp = old.map((o) => o + rng.normal(0, 0.3));
    const f = (x: Float64Array) => clippedSurrogate(x, old, adv, eps).loss;
    const { dLogp } = clippedSurrogate(logp, old, adv, eps);
    let checked = 0;
    for (let t = 0; t < M; t++) {
      const ratio = Math.exp(logp[t] - old[t]);
      if (Math.abs(ratio - (1 + eps)) < 1e-3 || Math.abs(ratio - (1 - eps)) < 1e-3) continue; // a kink
      expect(Math.abs(fd(() => f(logp), logp, t, 1e-6) - dLogp[t]), `token ${t}, TEST_SEED=${seed}`).toBeLessThan(1e-7);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('clipped value loss', () => {
  it('matches hand-computed cases', () => {
    // v moved 0.5 away from vOld = 0 towards R = 1 (ε = 0.2): (v−R)² = 0.25 < (0.2−1)² = 0.64 → clipped
    let r = clippedValueLoss([0.5], [0], [1], 0.2);
    expect(r.loss).toBeCloseTo(0.32, 12);
    expect(r.dValues[0]).toBe(0);
    expect(r.clipFraction).toBe(1);
    // v moved away from R: the unclipped term is larger, gradient v − R
    r = clippedValueLoss([-0.5], [0], [1], 0.2);
    expect(r.loss).toBeCloseTo(0.5 * 2.25, 12);
    expect(r.dValues[0]).toBeCloseTo(-1.5, 12);
    // inside the clip range both terms agree
    r = clippedValueLoss([0.1, 0.3], [0, 0.3], [1, -1], 0.2);
    expect(r.loss).toBeCloseTo(0.5 * (0.81 + 1.69) / 2, 12);
    expectClose(r.dValues, [-0.45, 0.65], { rtol: 0, atol: 1e-12 });
  });

  it('gradient matches finite differences', () => {
    const { rng, seed } = freshRng();
    const M = 29;
    const eps = 0.2;
    const old = rng.normals(M);
    const ret = rng.normals(M);
    const v = old.map((o) => o + rng.normal(0, 0.4));
    const f = (x: Float64Array) => clippedValueLoss(x, old, ret, eps).loss;
    const { dValues } = clippedValueLoss(v, old, ret, eps);
    let checked = 0;
    for (let t = 0; t < M; t++) {
      if (Math.abs(Math.abs(v[t] - old[t]) - eps) < 1e-3) continue;
      const vClip = old[t] + Math.min(Math.max(v[t] - old[t], -eps), eps);
      const outside = Math.abs(v[t] - old[t]) > eps;
      if (outside && Math.abs(Math.abs(v[t] - ret[t]) - Math.abs(vClip - ret[t])) < 1e-3) continue; // the max's kink
      expect(Math.abs(fd(() => f(v), v, t, 1e-6) - dValues[t]), `token ${t}, TEST_SEED=${seed}`).toBeLessThan(1e-7);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('log-probs, entropy and the logits gradient', () => {
  it('matches hand-computed values', () => {
    // softmax([0, 0, 1]) = [1, 1, e]/(2 + e); softmax([0, 5, 5]) = [1, E, E]/(1 + 2E) with E = e⁵
    expectClose(tokenLogprobs([0, 0, 1, 0, 5, 5], [2, 0], 2, 3), [1 - Math.log(2 + Math.E), -Math.log(1 + 2 * Math.exp(5))], { rtol: 0, atol: 1e-12 });
    const [p, q] = [Math.exp(5) / (1 + 2 * Math.exp(5)), 1 / (1 + 2 * Math.exp(5))];
    expectClose(entropyRows([0, 0, 0, 0, 5, 5], 2, 3), [Math.log(3), -2 * p * Math.log(p) - q * Math.log(q)], { rtol: 1e-12, atol: 1e-12 });
  });

  it('the PPO loss through log-probs: ppoLogitsGrad matches finite differences', () => {
    const { rng, seed } = freshRng();
    const N = 7;
    const V = 13;
    const logits = rng.normals(N * V, 2);
    const targets = Array.from({ length: N }, () => rng.int(V));
    const old = tokenLogprobs(logits, targets, N, V).map((x) => x + rng.normal(0, 0.2));
    const adv = rng.normals(N);
    const loss = (l: Float64Array) => clippedSurrogate(tokenLogprobs(l, targets, N, V), old, adv, 0.2).loss;
    const { dLogp } = clippedSurrogate(tokenLogprobs(logits, targets, N, V), old, adv, 0.2);
    const grad = ppoLogitsGrad(logits, targets, dLogp, N, V);
    const want = Float64Array.from({ length: N * V }, (_, i) => fd(() => loss(logits), logits, i, 1e-5));
    expectClose(grad, want, { rtol: 1e-5, atol: 1e-8, seed, label: 'd(loss)/d(logits)' });
  });

  it('entropy matches −Σ p log p', () => {
    const { rng, seed } = freshRng();
    const N = 5;
    const V = 65;
    const logits = rng.normals(N * V, 3);
    const want = Array.from({ length: N }, (_, i) => {
      const row = Array.from({ length: V }, (_, v) => logits[i * V + v]);
      const m = Math.max(...row);
      const z = row.reduce((a, x) => a + Math.exp(x - m), 0);
      return -row.reduce((a, x) => a + (Math.exp(x - m) / z) * (x - m - Math.log(z)), 0);
    });
    expectClose(entropyRows(logits, N, V), want, { rtol: 1e-12, atol: 1e-12, seed });
  });
});

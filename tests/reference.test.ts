// Finite-difference checks of the float64 reference: every backward in ops.ts and the whole reference GPT.
// Each op's output is projected onto a fixed random direction R so the check covers a scalar
// L = Σ out·R, whose gradient the backward must reproduce: dL/dx ≈ (L(x+h) − L(x−h)) / 2h.
import { describe, it, expect } from 'vitest';
import * as op from '../src/model/reference/ops.ts';
import { forward, backward, type Params } from '../src/model/reference/gpt.ts';
import { initParams, type GptConfig } from '../src/model/config.ts';
import { fd, freshRng } from './helpers/compare.ts';
import type { Rng } from '../src/model/reference/random.ts';

const H = 1e-6;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Compares an analytic gradient with central differences at `samples` random coordinates (all if fewer). */
function checkGrad(label: string, x: Float64Array, analytic: Float64Array, loss: () => number, rng: Rng, samples = 40): void {
  const idx = x.length <= samples ? [...x.keys()] : Array.from({ length: samples }, () => rng.int(x.length));
  for (const i of idx) {
    const numeric = fd(loss, x, i, H);
    const err = Math.abs(numeric - analytic[i]);
    if (err > 1e-6 + 1e-5 * Math.abs(numeric)) {
      expect.fail(`${label}[${i}]: analytic ${analytic[i]}, numeric ${numeric}`);
    }
  }
}

describe('reference ops: finite differences', () => {
  it('matmul in all transpose forms, and bias', () => {
    const { rng } = freshRng();
    const [M, N, K] = [3, 5, 4];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = rng.uniform(M * K);
        const b = rng.uniform(K * N);
        const R = rng.uniform(M * N);
        const L = () => dot(op.matmul(a, b, M, N, K, { transA, transB }), R);
        // dA = R·op(B)ᵀ (then transposed back if A is stored transposed), dB likewise
        const dOpA = op.matmul(R, b, M, K, N, { transB: !transB });
        const dOpB = op.matmul(a, R, K, N, M, { transA: !transA });
        const dA = transA ? transpose(dOpA, M, K) : dOpA;
        const dB = transB ? transpose(dOpB, K, N) : dOpB;
        checkGrad(`dA(${transA},${transB})`, a, dA, L, rng);
        checkGrad(`dB(${transA},${transB})`, b, dB, L, rng);
      }
    }
    const x = rng.uniform(M * N);
    const bias = rng.uniform(N);
    const R = rng.uniform(M * N);
    checkGrad('dbias', bias, op.biasGrad(R, M, N), () => dot(op.addBias(x, bias, M, N), R), rng);
  });

  it('embedding with repeated tokens', () => {
    const { rng } = freshRng();
    const [B, T, C, V] = [2, 3, 4, 5];
    const tokens = [1, 1, 4, 0, 1, 4];
    const wte = rng.uniform(V * C);
    const wpe = rng.uniform(T * C);
    const R = rng.uniform(B * T * C);
    const L = () => dot(op.embedding(tokens, wte, wpe, B, T, C), R);
    const g = op.embeddingBackward(R, tokens, B, T, C, V);
    checkGrad('dwte', wte, g.dwte, L, rng);
    checkGrad('dwpe', wpe, g.dwpe, L, rng);
  });

  it('layernorm', () => {
    const { rng } = freshRng();
    const [N, C] = [3, 7];
    const x = rng.uniform(N * C, -2, 2);
    const w = rng.uniform(C);
    const b = rng.uniform(C);
    const R = rng.uniform(N * C);
    const L = () => dot(op.layernorm(x, w, b, N, C).out, R);
    const f = op.layernorm(x, w, b, N, C);
    const g = op.layernormBackward(R, x, w, f.mean, f.rstd, N, C);
    checkGrad('dx', x, g.dx, L, rng);
    checkGrad('dw', w, g.dw, L, rng);
    checkGrad('db', b, g.db, L, rng);
  });

  it('gelu', () => {
    const { rng } = freshRng();
    const x = rng.uniform(20, -4, 4);
    const R = rng.uniform(20);
    checkGrad('dx', x, op.geluBackward(x, R), () => dot(op.gelu(x), R), rng);
  });

  it('causal attention', () => {
    const { rng } = freshRng();
    const [B, T, C, NH] = [2, 5, 6, 2];
    const qkv = rng.uniform(B * T * 3 * C);
    const R = rng.uniform(B * T * C);
    const f = op.attention(qkv, B, T, C, NH);
    const dqkv = op.attentionBackward(R, qkv, f.att, B, T, C, NH);
    checkGrad('dqkv', qkv, dqkv, () => dot(op.attention(qkv, B, T, C, NH).out, R), rng, 200);
  });

  it('weighted cross-entropy, masked positions included', () => {
    const { rng } = freshRng();
    const [N, V] = [4, 7];
    const logits = rng.uniform(N * V, -3, 3);
    const targets = [0, 6, 3, 3];
    const weights = [1, 0, 0.5, 2];
    const L = () => op.crossEntropy(logits, targets, weights, N, V).loss;
    checkGrad('dlogits', logits, op.crossEntropyBackward(logits, targets, weights, N, V), L, rng, 100);
    expect(op.crossEntropy(logits, targets, [0, 0, 0, 0], N, V).loss).toBe(0);
  });

  it('adamw matches a hand-computed first step', () => {
    const p = Float64Array.of(1, -2);
    const g = Float64Array.of(0.5, -0.25);
    const m = new Float64Array(2);
    const v = new Float64Array(2);
    op.adamw(p, g, m, v, 1, { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 });
    // step 1: m̂ = g, v̂ = g², update = sign(g) (up to eps); decay subtracts lr·wd·p
    expect(p[0]).toBeCloseTo(1 - 0.1 * (1 + 0.1 * 1), 6);
    expect(p[1]).toBeCloseTo(-2 - 0.1 * (-1 + 0.1 * -2), 6);
  });
});

function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

describe('reference GPT: finite differences', () => {
  it('every parameter gradient of the weighted loss', () => {
    const { rng, seed } = freshRng();
    const cfg: GptConfig = { vocabSize: 11, contextLength: 6, layers: 2, heads: 2, channels: 8 };
    const params: Params = new Map([...initParams(cfg, seed)].map(([k, v]) => [k, Float64Array.from(v, (x) => x * 5)]));
    // Larger than GPT-2's init so every path (LN gains, biases, GELU curvature) carries real gradient.
    for (const [k, v] of params) {
      if (k.endsWith('bias')) v.set(rng.uniform(v.length, -0.5, 0.5));
      else if (/ln_.*weight/.test(k)) v.set(rng.uniform(v.length, 0.5, 1.5));
    }
    const B = 2;
    const T = 5;
    const tokens = Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
    const targets = Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
    const weights = Array.from({ length: B * T }, (_, i) => (i % 4 === 1 ? 0 : 1));
    const batch = { tokens, targets, weights, B, T };
    const fwd = forward(cfg, params, batch);
    const grads = backward(cfg, params, batch, fwd);
    expect(Number.isFinite(fwd.loss)).toBe(true);
    for (const [name, value] of params) {
      checkGrad(name, value, grads.get(name)!, () => forward(cfg, params, batch).loss, rng, 8);
    }
  });
});

// The Compare stage's arithmetic (src/model/worker/compare-math.ts) against plain, independent float64
// computations on fresh random inputs at awkward sizes.
import { describe, expect, it } from 'vitest';
import { expectClose, freshRng } from '../helpers/compare.ts';
import {
  headAttention,
  logSoftmaxAt,
  sequenceLogprobs,
  softmax64,
  tokenizerFingerprint,
  topCandidates,
  truncatePrompt,
} from '../../src/model/worker/compare-math.ts';
import { attention } from '../../src/model/reference/ops.ts';
import type { Rng } from '../../src/model/reference/random.ts';

const logits = (rng: Rng, n: number, spread = 8) => Float32Array.from(rng.uniform(n, -spread, spread));

describe('distribution of one logits row', () => {
  it('softmax sums to 1, is positive, and has the ratios exp(l_i − l_j)', () => {
    const { rng, seed } = freshRng();
    for (const V of [1, 7, 65, 257, 2053]) {
      const l = logits(rng, V, 40); // big spread: the max must be subtracted or exp overflows
      const p = softmax64(l);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1), `V=${V} seed ${seed}`).toBeLessThan(1e-12);
      for (let i = 0; i < V; i++) expect(p[i]).toBeGreaterThan(0);
      const i = rng.int(V);
      const j = rng.int(V);
      expect(Math.log(p[i]) - Math.log(p[j])).toBeCloseTo(l[i] - l[j], 9);
    }
  });

  it('logSoftmaxAt is log(softmax) at the id, also inside a longer array', () => {
    const { rng, seed } = freshRng();
    const V = 129;
    const rows = 3;
    const all = logits(rng, V * rows);
    for (let r = 0; r < rows; r++) {
      const row = all.subarray(r * V, (r + 1) * V);
      const p = softmax64(row);
      const id = rng.int(V);
      expectClose([logSoftmaxAt(all, id, r * V, V)], [Math.log(p[id])], { rtol: 1e-12, atol: 1e-12, seed });
      expectClose([logSoftmaxAt(row, id)], [Math.log(p[id])], { rtol: 1e-12, atol: 1e-12, seed });
    }
  });

  it('topCandidates equals a full sort (probability descending, lower id first on ties)', () => {
    const { rng, seed } = freshRng();
    for (const [V, k] of [[1, 10], [7, 10], [65, 10], [257, 1], [1031, 10], [33, 0]] as const) {
      const p = softmax64(logits(rng, V));
      // Some exact ties.
      if (V > 20) for (let i = 0; i < 5; i++) p[rng.int(V)] = p[3];
      const want = Array.from(p, (q, id) => ({ id, p: q }))
        .sort((a, b) => b.p - a.p || a.id - b.id)
        .slice(0, k);
      expect(topCandidates(p, k), `V=${V} k=${k} seed ${seed}`).toEqual(want);
    }
  });

  it('top candidates of a softmax are sorted and sum to at most 1', () => {
    const { rng } = freshRng();
    const top = topCandidates(softmax64(logits(rng, 300, 3)), 10);
    expect(top).toHaveLength(10);
    for (let i = 1; i < top.length; i++) expect(top[i].p).toBeLessThanOrEqual(top[i - 1].p);
    expect(top.reduce((a, c) => a + c.p, 0)).toBeLessThanOrEqual(1 + 1e-12);
  });
});

describe('sequence log-probabilities', () => {
  it('row r of the window predicts the next token; tokens outside the window are null', () => {
    const { rng, seed } = freshRng();
    const V = 23;
    const seq = Array.from({ length: 17 }, () => rng.int(V));
    for (const offset of [0, 1, 5]) {
      const T = seq.length - offset;
      const l = logits(rng, T * V);
      for (const from of [0, 3, 9, 16]) {
        const got = sequenceLogprobs(l, V, seq, from, offset);
        expect(got).toHaveLength(seq.length - from);
        got.forEach((g, i) => {
          const j = from + i;
          const w = j - offset;
          if (w < 1) expect(g, `j=${j}`).toBeNull();
          else {
            let z = 0;
            for (let v = 0; v < V; v++) z += Math.exp(l[(w - 1) * V + v]);
            expectClose([g!], [l[(w - 1) * V + seq[j]] - Math.log(z)], { rtol: 1e-9, atol: 1e-9, seed, label: `j=${j}` });
          }
        });
      }
    }
  });

  it('truncatePrompt keeps the last tokens and counts the rest', () => {
    const ids = Array.from({ length: 11 }, (_, i) => 100 + i);
    expect(truncatePrompt(ids, 32)).toEqual({ ids, dropped: 0 });
    expect(truncatePrompt(ids, 11)).toEqual({ ids, dropped: 0 });
    expect(truncatePrompt(ids, 4)).toEqual({ ids: [107, 108, 109, 110], dropped: 7 });
    expect(truncatePrompt([], 4)).toEqual({ ids: [], dropped: 0 });
  });
});

describe('one head’s attention map', () => {
  it('equals softmax(q·kᵀ/√hs) with the causal mask, computed naively, and the full reference’s head', () => {
    const { rng, seed } = freshRng();
    for (const [T, C, NH] of [[1, 4, 1], [7, 12, 3], [13, 16, 4]] as const) {
      const qkv = Float32Array.from(rng.uniform(T * 3 * C, -2, 2));
      const hs = C / NH;
      const full = attention(Float64Array.from(qkv), 1, T, C, NH).att;
      for (let h = 0; h < NH; h++) {
        const got = headAttention(qkv, T, C, NH, h);
        expect(got).toHaveLength(T * T);
        const naive = new Float64Array(T * T);
        for (let t = 0; t < T; t++) {
          const scores: number[] = [];
          for (let s = 0; s <= t; s++) {
            let dot = 0;
            for (let i = 0; i < hs; i++) dot += qkv[t * 3 * C + h * hs + i] * qkv[s * 3 * C + C + h * hs + i];
            scores.push(Math.exp(dot / Math.sqrt(hs)));
          }
          const z = scores.reduce((a, b) => a + b, 0);
          scores.forEach((e, s) => (naive[t * T + s] = e / z));
        }
        expectClose(got, naive, { rtol: 1e-10, atol: 1e-12, seed, label: `T=${T} C=${C} NH=${NH} h=${h}` });
        expectClose(got, full.subarray(h * T * T, (h + 1) * T * T), { rtol: 1e-12, atol: 1e-14, seed });
        for (let t = 0; t < T; t++) {
          let row = 0;
          for (let s = 0; s < T; s++) row += got[t * T + s];
          expect(Math.abs(row - 1)).toBeLessThan(1e-12);
          for (let s = t + 1; s < T; s++) expect(got[t * T + s]).toBe(0);
        }
      }
    }
  });

  it('rejects a head that does not exist', () => {
    expect(() => headAttention(new Float32Array(3 * 8), 1, 8, 2, 2)).toThrow(/head 2 of 2/);
  });
});

describe('tokenizer fingerprints', () => {
  it('equal states match, any change does not', () => {
    const a = { kind: 'char', version: 1, specials: ['<|bos|>'], chars: 'abc' };
    expect(tokenizerFingerprint(a)).toBe(tokenizerFingerprint(JSON.parse(JSON.stringify(a))));
    expect(tokenizerFingerprint(a)).not.toBe(tokenizerFingerprint({ ...a, chars: 'abd' }));
    expect(tokenizerFingerprint(a)).not.toBe(tokenizerFingerprint({ ...a, chars: 'bac' }));
  });
});

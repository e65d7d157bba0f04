import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/model/reference/random.ts';
import { SPECIAL_IDS } from '../../src/model/tokenizer/index.ts';
import { fitAll, fitToContext, makeSftBatch, type SftExample } from '../../src/model/sft/index.ts';

const { user: U, assistant: A, end: E, pad: P } = SPECIAL_IDS;

/** <|user|> q… <|end|> <|assistant|> a… <|end|>, with the template's weights. */
function ex(q: number[], a: number[]): SftExample {
  const ids = [U, ...q, E, A, ...a, E];
  const weights = [0, ...q.map(() => 0), 0, 0, ...a.map(() => 1), 1];
  return { ids, weights };
}

describe('makeSftBatch', () => {
  it('one example per row: targets and weights shifted by one, padding weight 0', () => {
    const e = ex([10, 11, 12], [20, 21]); // 9 ids
    const T = 12;
    const b = makeSftBatch([e], 2, T, new Rng(1), { pack: false });
    expect(b.B).toBe(2);
    expect(b.T).toBe(T);
    expect(b.tokens.length).toBe(2 * T);
    for (let r = 0; r < 2; r++) {
      const row = Array.from(b.tokens.subarray(r * T, (r + 1) * T));
      const tgt = Array.from(b.targets.subarray(r * T, (r + 1) * T));
      const w = Array.from(b.weights.subarray(r * T, (r + 1) * T));
      expect(row).toEqual([U, 10, 11, 12, E, A, 20, 21, E, P, P, P]);
      expect(tgt).toEqual([10, 11, 12, E, A, 20, 21, E, P, P, P, P]);
      // position i predicts token i+1: trained where the target is 20, 21 or the closing <|end|>
      expect(w).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
      for (let t = 0; t < T; t++) {
        const next = t + 1 < e.ids.length ? e.weights[t + 1] : 0;
        expect(w[t]).toBe(next);
      }
    }
    expect(b.examples).toBe(2);
    expect(b.trainedTokens).toBe(6);
  });

  it('packs whole examples, never splitting one between rows', () => {
    const pool = [ex([10], [20]), ex([11, 12], [21, 22, 23]), ex([13, 14, 15, 16], [24])];
    const T = 16;
    const rng = new Rng(7);
    let total = 0;
    for (let n = 0; n < 20; n++) {
      const b = makeSftBatch(pool, 4, T, rng);
      total += b.examples;
      for (let r = 0; r < 4; r++) {
        // reconstruct the row's stream of T+1 ids
        const s = [...b.tokens.subarray(r * T, (r + 1) * T), b.targets[(r + 1) * T - 1]];
        for (let t = 0; t < T - 1; t++) expect(b.targets[r * T + t]).toBe(b.tokens[r * T + t + 1]);
        // parse the stream back into examples from the pool, then padding
        let i = 0;
        let count = 0;
        while (i < s.length && s[i] !== P) {
          const match = pool.find((e) => e.ids.every((id, k) => s[i + k] === id));
          expect(match, `row ${r} at ${i}`).toBeDefined();
          for (let k = 0; k < match!.ids.length; k++) {
            // the weight of position i+k-1 (which predicts id i+k) is the example's weight of id k
            if (i + k >= 1) expect(b.weights[r * T + i + k - 1]).toBe(match!.weights[k]);
          }
          i += match!.ids.length;
          count++;
        }
        expect(count).toBeGreaterThan(0);
        for (let k = i; k < s.length; k++) expect(s[k]).toBe(P);
        for (let t = Math.max(0, i - 1); t < T; t++) expect(b.weights[r * T + t]).toBe(0);
      }
    }
    expect(total).toBeGreaterThan(80); // several examples per row
  });

  it('is deterministic for a seed', () => {
    const pool = [ex([10], [20]), ex([11, 12], [21, 22, 23]), ex([13, 14, 15, 16], [24])];
    const a = makeSftBatch(pool, 3, 10, new Rng(5));
    const b = makeSftBatch(pool, 3, 10, new Rng(5));
    expect(a.tokens).toEqual(b.tokens);
    expect(a.weights).toEqual(b.weights);
  });

  it('truncates long prompts from the left and drops examples whose answer does not fit', () => {
    const long = ex([10, 11, 12, 13, 14, 15, 16, 17], [20, 21]); // 15 ids
    const T = 8; // stream of 9
    const f = fitToContext(long, T)!;
    expect(f.ids.length).toBe(T + 1);
    expect(f.ids).toEqual([U, 15, 16, 17, E, A, 20, 21, E]); // the opening <|user|>, then the last T ids
    expect(f.weights).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(fitToContext(ex([1], [2]), T)).toEqual(ex([1], [2]));
    const longAnswer = ex([10], [20, 21, 22, 23, 24, 25, 26, 27]); // answer turn alone is 10 ids
    expect(fitToContext(longAnswer, T)).toBeNull();
    const all = fitAll([long, longAnswer, ex([1], [2])], T);
    expect(all).toMatchObject({ truncated: 1, dropped: 1 });
    expect(all.examples.length).toBe(2);

    const b = makeSftBatch([long, longAnswer], 2, T, new Rng(3));
    expect(b.examples).toBe(2);
    expect(b.truncated).toBe(2);
    expect(Array.from(b.tokens.subarray(0, T))).toEqual([U, 15, 16, 17, E, A, 20, 21]);
    expect(() => makeSftBatch([longAnswer], 1, T, new Rng(3))).toThrow(/no example fits/);
  });
});

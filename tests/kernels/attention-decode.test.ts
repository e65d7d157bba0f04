// KV-cache decoding kernels against the float64 reference: the cache write (kv_write), the one-query
// attention over the cache (attn_decode) and the embedding at per-row positions (embedding_at).
import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import { attentionDecode, kvCacheWrite, KV_SKIP } from '../../src/model/kernels/attention-decode.ts';
import { embeddingAt } from '../../src/model/kernels/embedding-at.ts';
import { GpuError } from '../../src/model/gpu/runtime.ts';
import * as ref from '../../src/model/reference/decode.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// [C, NH, ctx, lens per row]: rows 1 and 3, lengths 1, 7, 65, 129 (chunks of 64 keys: one partial, one
// full plus one key, two full plus one), heads 1 and 4, head sizes 8, 10 (not a multiple of 4), 16, 64
// and 130 (more than one accumulator dim per thread).
const CASES: [number, number, number, number[]][] = [
  [8, 1, 1, [1]],
  [40, 4, 7, [7]],
  [64, 4, 130, [7, 65, 129]],
  [130, 1, 129, [129, 1, 65]],
  [256, 4, 70, [65]],
  [16, 1, 64, [1, 64, 33]],
];

describe('attention decode (KV cache)', () => {
  for (const [C, NH, ctx, lens] of CASES) {
    const R = lens.length;
    it(`R=${R} C=${C} NH=${NH} (hs ${C / NH}) ctx=${ctx} lens=${lens.join(',')}`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const dims = { R, ctx, C, NH };
      // The history: one qkv row per cache slot; slots past a row's length are skipped by the write.
      const hist = r32(rng.normals(R * ctx * 3 * C));
      const slots = Array.from({ length: R * ctx }, (_, i) => (i % ctx < lens[Math.floor(i / ctx)] ? i : KV_SKIP));
      const tHist = gpu.tensor([R * ctx, 3 * C], 'history qkv', hist);
      const tSlots = gpu.tensor([R * ctx], 'slots', slots, 'u32');
      const kc = poisoned(gpu, [R, ctx, C], 'k cache');
      const vc = poisoned(gpu, [R, ctx, C], 'v cache');
      kvCacheWrite(gpu, kc, vc, tHist, tSlots, dims);

      const wantK = new Float64Array(R * ctx * C).fill(NaN);
      const wantV = new Float64Array(R * ctx * C).fill(NaN);
      for (let i = 0; i < R * ctx; i++) {
        if (slots[i] === KV_SKIP) continue;
        for (let c = 0; c < C; c++) {
          wantK[i * C + c] = hist[i * 3 * C + C + c];
          wantV[i * C + c] = hist[i * 3 * C + 2 * C + c];
        }
      }
      const gotK = await kc.read();
      const gotV = await vc.read();
      // Written slots are exact copies; skipped ones must still hold the poison.
      for (let i = 0; i < wantK.length; i++) {
        if (Number.isNaN(wantK[i])) {
          expect(Number.isNaN(gotK[i]) && Number.isNaN(gotV[i]), `skipped cache element ${i} was written`).toBe(true);
        } else {
          expect(gotK[i], `k cache element ${i}`).toBe(wantK[i]);
          expect(gotV[i], `v cache element ${i}`).toBe(wantV[i]);
        }
      }

      const q = r32(rng.normals(R * 3 * C));
      const tq = gpu.tensor([R, 3 * C], 'qkv', q);
      const tLens = gpu.tensor([R], 'lens', lens, 'u32');
      const out = poisoned(gpu, [R, C], 'out');
      attentionDecode(gpu, out, tq, kc, vc, tLens, dims);
      const want = ref.attentionDecode(q, wantK, wantV, lens, R, ctx, C, NH);
      // A softmax-weighted sum over ≤ 129 keys of hs-long dot products in f32: 1e-4 of the magnitude.
      expectClose(await out.read(), want, { rtol: 1e-4, atol: 1e-4 * maxAbs(want), label: 'out', seed });
      for (const t of [tHist, tSlots, kc, vc, tq, tLens, out]) t.release();
    });
  }

  it('is stable for large scores (no overflow in the softmax)', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const R = 1, C = 16, NH = 2, ctx = 70;
    const big = (n: number) => r32(Array.from(rng.normals(n), (x) => 30 * x));
    const k = big(R * ctx * C);
    const v = r32(rng.normals(R * ctx * C));
    const q = big(R * 3 * C);
    const kc = gpu.tensor([R, ctx, C], 'k', k);
    const vc = gpu.tensor([R, ctx, C], 'v', v);
    const tq = gpu.tensor([R, 3 * C], 'q', q);
    const tLens = gpu.tensor([R], 'lens', [ctx], 'u32');
    const out = poisoned(gpu, [R, C], 'out');
    attentionDecode(gpu, out, tq, kc, vc, tLens, { R, ctx, C, NH });
    const want = ref.attentionDecode(q, k, v, [ctx], R, ctx, C, NH);
    expectClose(await out.read(), want, { rtol: 1e-3, atol: 1e-3 * maxAbs(want), label: 'out', seed });
    for (const t of [kc, vc, tq, tLens, out]) t.release();
  });

  it('rejects mismatched shapes before dispatch', async () => {
    const gpu = await testGpu();
    const kc = gpu.tensor([2, 8, 16], 'k');
    const vc = gpu.tensor([2, 8, 16], 'v');
    const q = gpu.tensor([2, 48], 'q');
    const lens = gpu.tensor([3], 'lens', undefined, 'u32');
    const out = gpu.tensor([2, 16], 'out');
    expect(() => attentionDecode(gpu, out, q, kc, vc, lens, { R: 2, ctx: 8, C: 16, NH: 2 })).toThrow(GpuError);
    expect(() => attentionDecode(gpu, out, q, kc, vc, lens, { R: 2, ctx: 8, C: 16, NH: 3 })).toThrow(/multiple/);
    for (const t of [kc, vc, q, lens, out]) t.release();
  });
});

describe('embedding at per-row positions', () => {
  for (const [R, C, V, P] of [
    [1, 8, 5, 3],
    [3, 65, 67, 129],
    [7, 130, 11, 64],
  ]) {
    it(`R=${R} C=${C} V=${V} P=${P}`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const wte = r32(rng.normals(V * C));
      const wpe = r32(rng.normals(P * C));
      const tokens = Array.from({ length: R }, () => rng.int(V));
      const positions = Array.from({ length: R }, () => rng.int(P));
      const tw = gpu.tensor([V, C], 'wte', wte);
      const tp = gpu.tensor([P, C], 'wpe', wpe);
      const tt = gpu.tensor([R], 'tokens', tokens, 'u32');
      const tpos = gpu.tensor([R], 'positions', positions, 'u32');
      const out = poisoned(gpu, [R, C], 'out');
      embeddingAt(gpu, out, tt, tpos, tw, tp, { R, C });
      expectClose(await out.read(), ref.embeddingAt(tokens, positions, wte, wpe, C), { rtol: 1e-6, atol: 0, label: 'out', seed });
      // Out-of-range tokens and positions give NaN rows rather than reading other memory.
      gpu.upload(tt, tokens.map((t, i) => (i === 0 ? V : t)));
      gpu.upload(tpos, positions.map((p, i) => (i === R - 1 && R > 1 ? P : p)));
      embeddingAt(gpu, out, tt, tpos, tw, tp, { R, C });
      const got = await out.read();
      expect(Number.isNaN(got[0]) && Number.isNaN(got[C - 1])).toBe(true);
      if (R > 1) expect(Number.isNaN(got[(R - 1) * C])).toBe(true);
      for (const t of [tw, tp, tt, tpos, out]) t.release();
    });
  }
});

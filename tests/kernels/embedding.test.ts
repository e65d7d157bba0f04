import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import { GpuError } from '../../src/model/gpu/runtime.ts';
import { embeddingForward, embeddingBackward } from '../../src/model/kernels/embedding.ts';
import * as ref from '../../src/model/reference/ops.ts';

/** Rounds to f32 so the reference sees exactly what the GPU sees. */
const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Tolerances: the forward is one f32 add per element (rtol 1e-5); the backward sums up to B*T (dwte) or
// B (dwpe) f32 values per element: |err| ≤ 1e-4 · max|dwte| (reduction threshold).
const CASES = [
  { B: 1, T: 1, C: 1, V: 1, maxT: 1, distinct: 1, dtype: 'u32' as const },
  { B: 2, T: 7, C: 65, V: 257, maxT: 9, distinct: 5, dtype: 'i32' as const },
  { B: 3, T: 65, C: 7, V: 129, maxT: 65, distinct: 129, dtype: 'u32' as const },
  { B: 2, T: 129, C: 33, V: 257, maxT: 257, distinct: 3, dtype: 'i32' as const },
];

describe('embedding', () => {
  for (const k of CASES) {
    it(`forward + backward B=${k.B} T=${k.T} C=${k.C} V=${k.V} maxT=${k.maxT} (${k.distinct} distinct tokens, ${k.dtype})`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const { B, T, C, V, maxT } = k;
      const N = B * T;
      // draw from a few token ids so that repeats are common
      const pool = Array.from({ length: k.distinct }, () => rng.int(V));
      const tokens = Array.from({ length: N }, () => pool[rng.int(pool.length)]);
      const wte = r32(rng.normals(V * C));
      const wpe = r32(rng.normals(maxT * C));
      const dout = r32(rng.normals(N * C));

      const tTok = gpu.tensor([N], 'tokens', tokens, k.dtype);
      const tWte = gpu.tensor([V, C], 'wte', wte);
      const tWpe = gpu.tensor([maxT, C], 'wpe', wpe);
      const out = poisoned(gpu, [N, C], 'out');
      embeddingForward(gpu, out, tTok, tWte, tWpe, { B, T, C });
      expectClose(await out.read(), ref.embedding(tokens, wte, wpe, B, T, C), { rtol: 1e-5, atol: 1e-6, label: 'out', seed });

      const want = ref.embeddingBackward(dout, tokens, B, T, C, V);
      const wantWpe = new Float64Array(maxT * C);
      wantWpe.set(want.dwpe);
      const tDout = gpu.tensor([N, C], 'dout', dout);
      const dwte = poisoned(gpu, [V, C], 'dwte');
      const dwpe = poisoned(gpu, [maxT, C], 'dwpe');
      embeddingBackward(gpu, dwte, dwpe, tDout, tTok, { B, T, C, V });
      const gotWte = await dwte.read();
      const gotWpe = await dwpe.read();
      expectClose(gotWte, want.dwte, { rtol: 1e-4, atol: 1e-4 * maxAbs(want.dwte), label: 'dwte', seed });
      expectClose(gotWpe, wantWpe, { rtol: 1e-4, atol: 1e-4 * maxAbs(wantWpe), label: 'dwpe', seed });

      // deterministic: a second run gives identical bits
      embeddingBackward(gpu, dwte, dwpe, tDout, tTok, { B, T, C, V });
      expect(Array.from(await dwte.read())).toEqual(Array.from(gotWte));

      // accumulate adds into what is there
      const baseWte = r32(rng.normals(V * C));
      const baseWpe = r32(rng.normals(maxT * C));
      gpu.upload(dwte, baseWte);
      gpu.upload(dwpe, baseWpe);
      embeddingBackward(gpu, dwte, dwpe, tDout, tTok, { B, T, C, V, accumulate: true });
      const sumWte = ref.add(baseWte, want.dwte);
      const sumWpe = ref.add(baseWpe, wantWpe);
      expectClose(await dwte.read(), sumWte, { rtol: 1e-4, atol: 1e-4 * maxAbs(sumWte), label: 'dwte (accumulate)', seed });
      expectClose(await dwpe.read(), sumWpe, { rtol: 1e-4, atol: 1e-4 * maxAbs(sumWpe), label: 'dwpe (accumulate)', seed });

      for (const t of [tTok, tWte, tWpe, out, tDout, dwte, dwpe]) t.release();
    });
  }

  it('handles B*T = 4096 positions with V = 8192', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const B = 4, T = 1024, C = 8, V = 8192, N = B * T;
    const tokens = Array.from({ length: N }, () => (rng.next() < 0.5 ? rng.int(16) : rng.int(V)));
    const dout = r32(rng.normals(N * C));
    const tTok = gpu.tensor([N], 'tokens', tokens, 'u32');
    const tDout = gpu.tensor([N, C], 'dout', dout);
    const dwte = poisoned(gpu, [V, C], 'dwte');
    const dwpe = poisoned(gpu, [T, C], 'dwpe');
    embeddingBackward(gpu, dwte, dwpe, tDout, tTok, { B, T, C, V });
    const want = ref.embeddingBackward(dout, tokens, B, T, C, V);
    expectClose(await dwte.read(), want.dwte, { rtol: 1e-4, atol: 1e-4 * maxAbs(want.dwte), label: 'dwte', seed });
    expectClose(await dwpe.read(), want.dwpe, { rtol: 1e-4, atol: 1e-4 * maxAbs(want.dwpe), label: 'dwpe', seed });
    for (const t of [tTok, tDout, dwte, dwpe]) t.release();
  });

  it('sums long runs (every position the same token) and skips out-of-range tokens in dwte', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const B = 3, T = 333, C = 5, V = 11, N = B * T;
    // mostly token 4, some out of range (-1 and V + 2 as i32); every position still feeds dwpe
    const tokens = Array.from({ length: N }, () => (rng.next() < 0.9 ? 4 : rng.next() < 0.5 ? -1 : V + 2));
    const dout = r32(rng.normals(N * C));
    const tTok = gpu.tensor([N], 'tokens', tokens, 'i32');
    const tDout = gpu.tensor([N, C], 'dout', dout);
    const dwte = poisoned(gpu, [V, C], 'dwte');
    const dwpe = poisoned(gpu, [T, C], 'dwpe');
    embeddingBackward(gpu, dwte, dwpe, tDout, tTok, { B, T, C, V });
    const wantWte = new Float64Array(V * C);
    const wantWpe = new Float64Array(T * C);
    for (let p = 0; p < N; p++) {
      for (let c = 0; c < C; c++) {
        if (tokens[p] >= 0 && tokens[p] < V) wantWte[tokens[p] * C + c] += dout[p * C + c];
        wantWpe[(p % T) * C + c] += dout[p * C + c];
      }
    }
    expectClose(await dwte.read(), wantWte, { rtol: 1e-4, atol: 1e-4 * maxAbs(wantWte), label: 'dwte', seed });
    expectClose(await dwpe.read(), wantWpe, { rtol: 1e-4, atol: 1e-4 * maxAbs(wantWpe), label: 'dwpe', seed });
    for (const t of [tTok, tDout, dwte, dwpe]) t.release();
  });

  it('writes NaN rows for out-of-range tokens', async () => {
    const gpu = await testGpu();
    const tok = gpu.tensor([3], 'tokens', [0, -1, 5], 'i32');
    const wte = gpu.tensor([5, 2], 'wte', new Float32Array(10).fill(1));
    const wpe = gpu.tensor([3, 2], 'wpe', new Float32Array(6).fill(2));
    const out = poisoned(gpu, [3, 2], 'out');
    embeddingForward(gpu, out, tok, wte, wpe, { B: 1, T: 3, C: 2 });
    const got = Array.from(await out.read());
    expect(got.slice(0, 2)).toEqual([3, 3]);
    expect(got.slice(2).every(Number.isNaN)).toBe(true);
    for (const t of [tok, wte, wpe, out]) t.release();
  });

  it('rejects mismatched shapes before dispatch', async () => {
    const gpu = await testGpu();
    const tok = gpu.tensor([6], 'tokens', undefined, 'u32');
    const wte = gpu.tensor([5, 4], 'wte');
    const wpe = gpu.tensor([2, 4], 'wpe');
    const out = gpu.tensor([6, 4], 'out');
    const before = gpu.dispatchCount;
    expect(() => embeddingForward(gpu, out, tok, wte, wpe, { B: 2, T: 3, C: 4 })).toThrow(/embeddingForward: wpe is wpe\[2, 4\]/);
    const ftok = gpu.tensor([6], 'ftokens');
    expect(() => embeddingForward(gpu, out, ftok, wte, wte, { B: 2, T: 3, C: 4 })).toThrow(GpuError);
    expect(() => embeddingBackward(gpu, wte, wpe, out, tok, { B: 2, T: 3, C: 4, V: 6 })).toThrow(/embeddingBackward: dwte/);
    expect(gpu.dispatchCount).toBe(before);
    for (const t of [tok, wte, wpe, out, ftok]) t.release();
  });
});

// The few-rows linear layer (decoding) against the float64 matmul reference, both weight layouts, with and
// without bias, at row counts that are and are not multiples of its 4-row blocks.
import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { absOf, expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import { linear, linearRows, LINEAR_ROWS_MAX_M } from '../../src/model/kernels/linear-rows.ts';
import { GpuError } from '../../src/model/gpu/runtime.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// [M, N, K]: the vec4 forms (N % 4 == 0 untransposed, K % 4 == 0 transposed, including N not a multiple
// of 4 there) and the scalar fallback; 1, 2, 4 and more rows than one 4-row block (5, 7).
const CASES: [number, number, number][] = [
  [1, 1, 1],
  [1, 65, 129],
  [3, 67, 48],
  [7, 129, 65],
  [4, 64, 16],
  [5, 132, 36],
  [2, 8, 12],
  [1, 260, 384],
];

describe('linearRows', () => {
  for (const [M, N, K] of CASES) {
    for (const transW of [false, true]) {
      for (const withBias of [false, true]) {
        it(`M=${M} N=${N} K=${K}${transW ? ' Wᵀ' : ''}${withBias ? ' +bias' : ''}`, async () => {
          const gpu = await testGpu();
          const { rng, seed } = freshRng();
          const x = r32(rng.normals(M * K));
          const w = r32(rng.normals(K * N));
          const b = r32(rng.normals(N));
          const tx = gpu.tensor([M, K], 'x', x);
          const tw = gpu.tensor(transW ? [N, K] : [K, N], 'w', w);
          const tb = gpu.tensor([N], 'bias', b);
          const out = poisoned(gpu, [M, N], 'out');
          linearRows(gpu, out, tx, tw, { transW, bias: withBias ? tb : undefined });
          let want = ref.matmul(x, w, M, N, K, { transB: transW });
          let terms = ref.matmul(absOf(x), absOf(w), M, N, K, { transB: transW });
          if (withBias) {
            want = ref.addBias(want, b, M, N);
            terms = ref.addBias(terms, absOf(b), M, N);
          }
          // K-long f32 dot products: 1e-5 of the output's magnitude (observed ~1e-7), plus a few f32 roundings
          // of the terms' magnitude for outputs whose terms cancel (M=N=K=1: x·w + b near 0).
          const atol = 1e-5 * maxAbs(want) + 1e-6 * maxAbs(terms);
          expectClose(await out.read(), want, { rtol: 1e-5, atol, label: 'out', seed });
          for (const t of [tx, tw, tb, out]) t.release();
        });
      }
    }
  }

  it('linear() agrees with linearRows past the few-rows threshold (tiled matmul)', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const M = LINEAR_ROWS_MAX_M + 3, N = 20, K = 12;
    const x = r32(rng.normals(M * K));
    const w = r32(rng.normals(N * K));
    const tx = gpu.tensor([M, K], 'x', x);
    const tw = gpu.tensor([N, K], 'w', w);
    const out = poisoned(gpu, [M, N], 'out');
    linear(gpu, out, tx, tw, { transW: true });
    const want = ref.matmul(x, w, M, N, K, { transB: true });
    expectClose(await out.read(), want, { rtol: 1e-5, atol: 1e-5 * maxAbs(want), label: 'out', seed });
    for (const t of [tx, tw, out]) t.release();
  });

  it('rejects mismatched shapes', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([2, 8], 'x');
    const w = gpu.tensor([9, 4], 'w');
    const out = gpu.tensor([2, 4], 'out');
    expect(() => linearRows(gpu, out, x, w)).toThrow(GpuError);
    for (const t of [x, w, out]) t.release();
  });
});

import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, poisoned } from '../helpers/compare.ts';
import { GpuError } from '../../src/model/gpu/runtime.ts';
import { sum, sumSquares, gradNormSquared, globalNormClip, setSubgroupKernels } from '../../src/model/kernels/reduce.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Reductions: |err| ≤ 1e-4·|want| (sums of squares and norms have no cancellation). Plain and weighted
// sums of signed values can cancel, so their error is judged against Σ|terms|: atol 1e-5·Σ|x·w|.
// Every case runs on the device's own variant (subgroupAdd per ≥1024-element chunk where it has subgroups)
// and on the workgroup-memory fallback, forced with setSubgroupKernels(gpu, false). Each test sets the
// variant first. 5_000_011 elements need more than the subgroup variant's 4096 chunks of 1024.
const VARIANTS = [
  { suffix: '', subgroups: true },
  { suffix: ' (workgroup-memory fallback)', subgroups: false },
];

describe('reductions', () => {
  for (const { suffix, subgroups } of VARIANTS) for (const n of [1, 7, 65, 257, 129 * 257, 1_000_003, 5_000_011]) {
    it(`sum, weighted sum and sum of squares n=${n}${suffix}`, async () => {
      const gpu = await testGpu();
      setSubgroupKernels(gpu, subgroups);
      const { rng, seed } = freshRng();
      const x = r32(rng.normals(n));
      const w = r32(rng.uniform(n, 0, 2));
      const tx = gpu.tensor([n], 'x', x);
      const tw = gpu.tensor([n], 'w', w);
      const out = poisoned(gpu, [1], 'out');
      let s = 0, sa = 0, ws = 0, wsa = 0, sq = 0;
      for (let i = 0; i < n; i++) {
        s += x[i];
        sa += Math.abs(x[i]);
        ws += w[i] * x[i];
        wsa += Math.abs(w[i] * x[i]);
        sq += x[i] * x[i];
      }
      sum(gpu, out, tx);
      expectClose(await out.read(), [s], { rtol: 1e-5, atol: 1e-5 * sa, label: 'sum', seed });
      sum(gpu, out, tx, { weights: tw, scale: 0.25 });
      expectClose(await out.read(), [ws * 0.25], { rtol: 1e-5, atol: 1e-5 * wsa * 0.25, label: 'weighted sum', seed });
      gpu.upload(out, [NaN]);
      sumSquares(gpu, out, tx);
      const got = (await out.read())[0];
      expectClose([got], [sq], { rtol: 1e-4, atol: 0, label: 'sum of squares', seed });
      sumSquares(gpu, out, tx);
      expect((await out.read())[0]).toBe(got); // deterministic
      for (const t of [tx, tw, out]) t.release();
    });
  }

  for (const { suffix, subgroups } of VARIANTS) it(`global gradient norm and clip scale over many tensors${suffix}`, async () => {
    const gpu = await testGpu();
    setSubgroupKernels(gpu, subgroups);
    const { rng, seed } = freshRng();
    const sizes = [1, 7, 65, 257, 129 * 65, 300_001, 3];
    const grads = sizes.map((n) => r32(rng.normals(n, 0.01 + rng.next())));
    const tensors = grads.map((g, i) => gpu.tensor([g.length], `g${i}`, g));
    const norm = ref.globalNorm(grads);

    const sq = poisoned(gpu, [1], 'normsq');
    gradNormSquared(gpu, sq, tensors);
    expectClose(await sq.read(), [norm * norm], { rtol: 1e-4, atol: 0, label: '‖g‖²', seed });

    const out = poisoned(gpu, [2], 'clip');
    for (const maxNorm of [norm / 3, norm * 2, 1.0, 0, Infinity]) {
      globalNormClip(gpu, out, tensors, maxNorm);
      const got = await out.read();
      const want = maxNorm > 0 && Number.isFinite(maxNorm) ? ref.clipScale(norm, maxNorm) : 1;
      expectClose(got, [want, norm], { rtol: 1e-4, atol: 0, label: `clip scale, norm (maxNorm ${maxNorm})`, seed });
    }
    const first = Array.from(await out.read());
    globalNormClip(gpu, out, tensors, Infinity);
    expect(Array.from(await out.read())).toEqual(first); // deterministic
    for (const t of [...tensors, sq, out]) t.release();
  });

  it('rejects bad arguments before dispatch', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([10], 'x');
    const w = gpu.tensor([9], 'w');
    const one = gpu.tensor([1], 'one');
    const two = gpu.tensor([2], 'two');
    const before = gpu.dispatchCount;
    expect(() => sum(gpu, two, x)).toThrow(/sum: out is two\[2\]/);
    expect(() => sum(gpu, one, x, { weights: w })).toThrow(/sum: weights is w\[9\]/);
    expect(() => globalNormClip(gpu, one, [x], 1)).toThrow(/globalNormClip: out is one\[1\]/);
    expect(() => gradNormSquared(gpu, one, [])).toThrow(GpuError);
    expect(() => gradNormSquared(gpu, one, [x, one])).toThrow(/gradNormSquared: grads\[1\]/);
    expect(gpu.dispatchCount).toBe(before);
    for (const t of [x, w, one, two]) t.release();
  });
});

import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, poisoned } from '../helpers/compare.ts';
import { residualAdd, accumulate } from '../../src/model/kernels/residual.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Element-wise: one f32 add, |err| ≤ 1e-5·|want| + 1e-6.
describe('residual', () => {
  for (const n of [1, 7, 129, 65 * 257, 257 * 257 + 3]) {
    it(`add and accumulate n=${n}`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const a = r32(rng.normals(n));
      const b = r32(rng.normals(n));
      const ta = gpu.tensor([n], 'a', a);
      const tb = gpu.tensor([n], 'b', b);
      const out = poisoned(gpu, [n], 'out');
      residualAdd(gpu, out, ta, tb);
      expectClose(await out.read(), ref.add(a, b), { rtol: 1e-5, atol: 1e-6, label: 'a + b', seed });
      accumulate(gpu, ta, tb);
      accumulate(gpu, ta, tb);
      expectClose(await ta.read(), ref.add(ref.add(a, b), b), { rtol: 1e-5, atol: 1e-6, label: 'a += b twice', seed });
      residualAdd(gpu, out, tb, tb);
      expectClose(await out.read(), ref.add(b, b), { rtol: 1e-5, atol: 1e-6, label: 'b + b', seed });
      for (const t of [ta, tb, out]) t.release();
    });
  }

  it('rejects mismatched shapes before dispatch', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([4, 8], 'x');
    const y = gpu.tensor([31], 'y');
    const before = gpu.dispatchCount;
    expect(() => residualAdd(gpu, x, x, y)).toThrow(/residualAdd: b is y\[31\]/);
    expect(() => residualAdd(gpu, x, x, x)).toThrow(/residualAdd: .*same buffer/);
    expect(() => accumulate(gpu, x, y)).toThrow(/accumulate: src is y\[31\]/);
    expect(() => accumulate(gpu, x, x)).toThrow(/accumulate: .*same buffer/);
    expect(gpu.dispatchCount).toBe(before);
    x.release();
    y.release();
  });
});

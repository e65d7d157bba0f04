import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, poisoned } from '../helpers/compare.ts';
import { geluForward, geluBackward } from '../../src/model/kernels/gelu.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Element-wise: |err| ≤ 1e-5·|want| + 1e-6·|dout|-scale. The forward is good to ~2e-6 relative everywhere;
// gelu'(x) crosses zero near x = −0.75, where its two O(1) terms cancel, so the backward needs the
// absolute floor (observed errors there are ~5e-8 on values ~1e-3).
describe('gelu', () => {
  for (const n of [1, 7, 65, 257 * 129]) {
    it(`forward + backward n=${n}`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const x = r32(rng.normals(n, 3));
      if (n > 7) x.set([0, -0, 1e-8, -12, 12, 40, -40], 0); // zero, tiny and saturated inputs
      const dout = r32(rng.normals(n));
      const tx = gpu.tensor([n], 'x', x);
      const td = gpu.tensor([n], 'dout', dout);
      const out = poisoned(gpu, [n], 'out');
      const dx = poisoned(gpu, [n], 'dx');
      geluForward(gpu, out, tx);
      geluBackward(gpu, dx, tx, td);
      expectClose(await out.read(), ref.gelu(x), { rtol: 1e-5, atol: 1e-6, label: 'gelu', seed });
      expectClose(await dx.read(), ref.geluBackward(x, dout), { rtol: 1e-5, atol: 1e-6, label: 'dgelu', seed });
      for (const t of [tx, td, out, dx]) t.release();
    });
  }

  it('rejects mismatched shapes before dispatch', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([4, 8], 'x');
    const y = gpu.tensor([31], 'y');
    const before = gpu.dispatchCount;
    expect(() => geluForward(gpu, y, x)).toThrow(/geluForward: out is y\[31\]/);
    expect(() => geluForward(gpu, x, x)).toThrow(/geluForward: .*same buffer/);
    expect(() => geluBackward(gpu, x, x, y)).toThrow(/geluBackward: dout is y\[31\]/);
    expect(gpu.dispatchCount).toBe(before);
    x.release();
    y.release();
  });
});

import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import { biasGrad } from '../../src/model/kernels/bias-grad.ts';
import * as ref from '../../src/model/reference/ops.ts';

// A column sum of M fp32 values: judged at 1e-5 of M·max|x| absolute, 1e-4 relative.
describe('biasGrad', () => {
  for (const [M, N] of [[1, 1], [7, 65], [257, 7], [600, 129], [65, 257]]) {
    it(`column sums of [${M}, ${N}], overwriting and accumulating`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const dout = rng.uniform(M * N);
      const want = ref.biasGrad(dout, M, N);
      const d = gpu.tensor([M, N], 'dout', dout);
      const db = poisoned(gpu, [N], 'db');
      biasGrad(gpu, db, d);
      const atol = 1e-5 * M * maxAbs(dout);
      expectClose(await db.read(), want, { rtol: 1e-4, atol, label: 'db', seed });
      biasGrad(gpu, db, d, { accumulate: true });
      expectClose(await db.read(), want.map((x) => 2 * x), { rtol: 1e-4, atol: 2 * atol, label: 'db accumulated', seed });
      d.release();
      db.release();
    });
  }

  it('rejects a dout that is not whole rows of dbias', async () => {
    const gpu = await testGpu();
    const d = gpu.tensor([10], 'dout');
    const db = gpu.tensor([3], 'db');
    expect(() => biasGrad(gpu, db, d)).toThrow(/biasGrad: dout dout\[10\]/);
    d.release();
    db.release();
  });
});

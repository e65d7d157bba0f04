import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, poisoned } from '../helpers/compare.ts';
import { softmax } from '../../src/model/kernels/softmax.ts';
import { GpuError } from '../../src/model/gpu/runtime.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Tolerance: |got − want| ≤ 1e-5·|want| + 1e-6 (probabilities are ≤ 1; one max and one sum reduction per
// row in f32, observed errors ~1e-7).
describe('softmax', () => {
  for (const [rows, cols, std] of [
    [3, 1, 1],
    [2, 7, 1],
    [5, 65, 3],
    [4, 129, 1],
    [3, 257, 10],
    [2, 5000, 4],
  ] as const) {
    it(`rows=${rows} cols=${cols} (logits std ${std})`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const x = r32(rng.normals(rows * cols, std));
      const tx = gpu.tensor([rows, cols], 'x', x);
      const tout = poisoned(gpu, [rows, cols], 'out');
      softmax(gpu, tout, tx, { rows, cols });
      expectClose(await tout.read(), ref.softmax(x, rows, cols), { rtol: 1e-5, atol: 1e-6, seed, label: 'probs' });
      tx.release();
      tout.release();
    });
  }

  it('is stable for huge logits and masked (−1e30) entries', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const rows = 3;
    const cols = 300;
    const x = r32(rng.normals(rows * cols, 1).map((v, i) => (i % 7 === 3 ? -1e30 : 1e4 + 50 * v)));
    const tx = gpu.tensor([rows, cols], 'x', x);
    const tout = poisoned(gpu, [rows, cols], 'out');
    softmax(gpu, tout, tx, { rows, cols });
    const got = await tout.read();
    expectClose(got, ref.softmax(x, rows, cols), { rtol: 1e-5, atol: 1e-6, seed, label: 'probs' });
    for (let i = 3; i < got.length; i += 7) expect(got[i]).toBe(0);
    tx.release();
    tout.release();
  });

  it('covers more rows than one grid dimension holds (2-D grid)', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const rows = gpu.limits.maxComputeWorkgroupsPerDimension + 7;
    const cols = 2;
    const x = r32(rng.normals(rows * cols));
    const tx = gpu.tensor([rows, cols], 'x', x);
    const tout = poisoned(gpu, [rows, cols], 'out');
    softmax(gpu, tout, tx, { rows, cols });
    expectClose(await tout.read(), ref.softmax(x, rows, cols), { rtol: 1e-5, atol: 1e-6, seed, label: 'probs' });
    tx.release();
    tout.release();
  });

  it('rejects mismatched shapes and aliasing before dispatching', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([4, 5], 'x');
    const out = gpu.tensor([4, 6], 'out');
    const before = gpu.dispatchCount;
    expect(() => softmax(gpu, out, x, { rows: 4, cols: 5 })).toThrow(GpuError);
    expect(() => softmax(gpu, x, x, { rows: 4, cols: 5 })).toThrow(/same buffer/);
    expect(() => softmax(gpu, x, x, { rows: 0, cols: 5 })).toThrow(/rows/);
    expect(gpu.dispatchCount).toBe(before);
    x.release();
    out.release();
  });
});

import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import { crossEntropy, meanLoss } from '../../src/model/kernels/crossentropy.ts';
import { cheapBarriers, setSubgroupKernels } from '../../src/model/kernels/reduce.ts';
import * as ref from '../../src/model/reference/ops.ts';
import type { Rng } from '../../src/model/reference/random.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Tolerances (|err| ≤ atol + rtol·|want|): losses are log Σ exp over the row minus a logit, so their
// absolute error scales with the logits: rtol 1e-5, atol 1e-6·max|logits|. dlogits come out of the row
// reduction: rtol 1e-4, atol 1e-5·max|dlogits|. The mean loss is a reduction: rtol 1e-4 (+ the losses' atol).
type Weights = 'ones' | 'mixed' | 'zeros';
const CASES: { N: number; V: number; weights: Weights; dtype: 'u32' | 'i32'; inPlace?: boolean }[] = [
  { N: 1, V: 1, weights: 'ones', dtype: 'u32' },
  { N: 7, V: 257, weights: 'mixed', dtype: 'i32' },
  { N: 65, V: 129, weights: 'mixed', dtype: 'u32' },
  { N: 129, V: 65, weights: 'ones', dtype: 'i32' },
  { N: 3, V: 1031, weights: 'mixed', dtype: 'u32' },
  { N: 7, V: 7, weights: 'zeros', dtype: 'u32' },
  { N: 65, V: 257, weights: 'mixed', dtype: 'i32', inPlace: true },
];

function makeWeights(rng: Rng, N: number, kind: Weights): Float64Array {
  if (kind === 'ones') return new Float64Array(N).fill(1);
  if (kind === 'zeros') return new Float64Array(N);
  // zeros (masked positions), ones and fractional weights; the first row is always masked
  return r32(Array.from({ length: N }, (_, i) => (i === 0 || rng.next() < 0.3 ? 0 : rng.next() < 0.5 ? 1 : rng.next() * 2)));
}

// Every case runs on the device's own variant (one row per subgroup where it has subgroups) and on the
// workgroup-memory fallback, forced with setSubgroupKernels(gpu, false). Each test sets the variant first.
const VARIANTS = [
  { suffix: '', subgroups: true },
  { suffix: ' (workgroup-memory fallback)', subgroups: false },
];

describe('crossEntropy', () => {
  for (const { suffix, subgroups } of VARIANTS) for (const k of CASES) {
    it(`N=${k.N} V=${k.V} weights=${k.weights} targets ${k.dtype}${k.inPlace ? ' in place' : ''}${suffix}`, async () => {
      const gpu = await testGpu();
      setSubgroupKernels(gpu, subgroups);
      const { rng, seed } = freshRng();
      const { N, V } = k;
      // large, shifted logits: the max-subtraction must be right
      const logits = r32(rng.normals(N * V, 4).map((x, i) => x + 30 * ((i % 3) - 1)));
      const targets = Array.from({ length: N }, () => rng.int(V));
      const weights = makeWeights(rng, N, k.weights);
      const weightSum = weights.reduce((a, b) => a + b, 0);
      const want = ref.crossEntropy(logits, targets, weights, N, V);
      const wantD = ref.crossEntropyBackward(logits, targets, weights, N, V);

      const tLogits = gpu.tensor([N, V], 'logits', logits);
      const tTargets = gpu.tensor([N], 'targets', targets, k.dtype);
      const tWeights = gpu.tensor([N], 'weights', weights);
      const losses = poisoned(gpu, [N], 'losses');
      const dlogits = k.inPlace ? tLogits : poisoned(gpu, [N, V], 'dlogits');
      crossEntropy(gpu, losses, dlogits, tLogits, tTargets, tWeights, { N, V, weightSum });
      const atolLoss = 1e-6 * maxAbs(logits);
      const gotLosses = await losses.read();
      expectClose(gotLosses, want.losses, { rtol: 1e-5, atol: atolLoss, label: 'losses', seed });
      for (let i = 0; i < N; i++) if (weights[i] === 0) expect(gotLosses[i]).toBe(0);
      const gotD = await dlogits.read();
      expectClose(gotD, wantD, { rtol: 1e-4, atol: 1e-5 * maxAbs(wantD), label: 'dlogits', seed });
      for (let i = 0; i < N; i++) if (weights[i] === 0) for (let v = 0; v < V; v++) expect(gotD[i * V + v]).toBe(0);

      const mean = poisoned(gpu, [1], 'mean loss');
      meanLoss(gpu, mean, losses, tWeights, { N, weightSum });
      expectClose(await mean.read(), [want.loss], { rtol: 1e-4, atol: atolLoss, label: 'mean loss', seed });

      for (const t of new Set([tLogits, tTargets, tWeights, losses, dlogits, mean])) t.release();
    });
  }

  for (const { suffix, subgroups } of VARIANTS) {
    it(`in place equals out of place bit for bit, many rows${suffix}`, async () => {
      const gpu = await testGpu();
      setSubgroupKernels(gpu, subgroups);
      const { rng } = freshRng();
      const N = 300, V = 37;
      const logits = rng.normals(N * V, 3);
      const targets = gpu.tensor([N], 'targets', Array.from({ length: N }, () => rng.int(V)), 'u32');
      const weights = gpu.tensor([N], 'weights', Array.from({ length: N }, () => rng.next() * 2));
      const tl = gpu.tensor([N, V], 'logits', logits);
      const [l1, l2] = [poisoned(gpu, [N], 'losses 1'), poisoned(gpu, [N], 'losses 2')];
      const d = poisoned(gpu, [N, V], 'dlogits');
      crossEntropy(gpu, l1, d, tl, targets, weights, { N, V, weightSum: 7 });
      const want = [Array.from(await l1.read()), Array.from(await d.read())];
      crossEntropy(gpu, l2, tl, tl, targets, weights, { N, V, weightSum: 7 });
      expect([Array.from(await l2.read()), Array.from(await tl.read())]).toEqual(want);
      expect(want[0].every(Number.isFinite)).toBe(true);
      for (const t of [targets, weights, tl, l1, l2, d]) t.release();
    });
  }

  it('gives each row one subgroup where the device has subgroups: at any V on CPU adapters, short rows on GPUs', async () => {
    const gpu = await testGpu();
    setSubgroupKernels(gpu, true);
    const seen: string[] = [];
    const run = gpu.run;
    gpu.run = (d) => {
      seen.push(d.kernel.name);
      run.call(gpu, d);
    };
    try {
      for (const V of [65, 4099]) {
        const N = 3;
        const logits = gpu.tensor([N, V], 'logits', new Float32Array(N * V).fill(1));
        const targets = gpu.tensor([N], 'targets', [0, 1, 2], 'u32');
        const weights = gpu.tensor([N], 'weights', [1, 1, 1]);
        const losses = poisoned(gpu, [N], 'losses');
        crossEntropy(gpu, losses, logits, logits, targets, weights, { N, V, weightSum: 3 });
        expectClose(await losses.read(), [Math.log(V), Math.log(V), Math.log(V)], { rtol: 1e-5, atol: 0, label: `losses V=${V}` });
        for (const t of [logits, targets, weights, losses]) t.release();
      }
    } finally {
      gpu.run = run;
    }
    const has = gpu.hasFeature('subgroups');
    expect(seen[0]).toBe(has ? 'crossentropy_inplace_sg' : 'crossentropy_inplace');
    // V = 4099 is > 64 logits per lane for any subgroup size ≤ 64: a workgroup per row on a GPU
    expect(seen[1]).toBe(has && !cheapBarriers(gpu) ? 'crossentropy_inplace_sg' : 'crossentropy_inplace');
  });

  it('gives NaN for an out-of-range target with a nonzero weight, 0 with a zero weight', async () => {
    const gpu = await testGpu();
    const logits = gpu.tensor([2, 3], 'logits', [1, 2, 3, 4, 5, 6]);
    const targets = gpu.tensor([2], 'targets', [-1, 3], 'i32');
    const weights = gpu.tensor([2], 'weights', [1, 0]);
    const losses = poisoned(gpu, [2], 'losses');
    const d = poisoned(gpu, [2, 3], 'dlogits');
    crossEntropy(gpu, losses, d, logits, targets, weights, { N: 2, V: 3, weightSum: 1 });
    const got = await losses.read();
    expect(Number.isNaN(got[0])).toBe(true);
    expect(got[1]).toBe(0);
    for (const t of [logits, targets, weights, losses, d]) t.release();
  });

  it('rejects mismatched shapes before dispatch', async () => {
    const gpu = await testGpu();
    const logits = gpu.tensor([4, 10], 'logits');
    const targets = gpu.tensor([4], 'targets', undefined, 'u32');
    const ftargets = gpu.tensor([4], 'ftargets');
    const weights = gpu.tensor([4], 'weights');
    const losses = gpu.tensor([5], 'losses');
    const before = gpu.dispatchCount;
    expect(() => crossEntropy(gpu, losses, logits, logits, targets, weights, { N: 4, V: 10, weightSum: 4 })).toThrow(/crossEntropy: losses is losses\[5\]/);
    expect(() => crossEntropy(gpu, weights, logits, logits, ftargets, weights, { N: 4, V: 10, weightSum: 4 })).toThrow(/crossEntropy: targets .*dtype f32/);
    expect(() => crossEntropy(gpu, weights, logits, logits, targets, weights, { N: 4, V: 10, weightSum: 4 })).toThrow(/crossEntropy: .*same buffer/);
    expect(() => crossEntropy(gpu, weights, logits, logits, targets, ftargets, { N: 4, V: 9, weightSum: 4 })).toThrow(/crossEntropy: logits is logits\[4, 10\]/);
    expect(() => meanLoss(gpu, losses, weights, weights, { N: 4, weightSum: 1 })).toThrow(/meanLoss: out/);
    expect(gpu.dispatchCount).toBe(before);
    for (const t of [logits, targets, ftargets, weights, losses]) t.release();
  });
});

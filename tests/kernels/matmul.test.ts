import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { absOf, expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import { matmul, setMatmulTiles, getMatmulTiles, tilesFor, type MatmulOptions } from '../../src/model/kernels/matmul.ts';
import { GpuError, type Gpu } from '../../src/model/gpu/runtime.ts';
import type { Rng } from '../../src/model/reference/random.ts';
import * as ref from '../../src/model/reference/ops.ts';

// Tolerance: a K-term fp32 dot product against the float64 reference, judged elementwise at
// |got − want| ≤ 1e-4·max|want| + 1e-5·|want|, i.e. 1e-4 relative to the output's magnitude.
const RTOL = 1e-5;
const REL_TO_MAX = 1e-4;
const TERMS_ROUNDING = 1e-6;

/** Inputs rounded to f32 first, so the reference sees exactly what the GPU sees. */
const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

interface Case {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  accumulate?: boolean;
  batch?: number;
  /** A or B given as one 2-D matrix used for every batch item. */
  shared?: 'a' | 'b';
}

const tr = (c: Case) => `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'}`;
const describeCase = (c: Case) =>
  `${tr(c)} M=${c.M} N=${c.N} K=${c.K}${c.batch ? ` batch=${c.batch}${c.shared ? ` (shared ${c.shared})` : ''}` : ''}` +
  `${c.bias ? ' +bias' : ''}${c.accumulate ? ' +accumulate' : ''}`;

/** The float64 answer for a case; batch items computed one at a time so a shared A/B is easy. */
function reference(c: Case, A: Float64Array, B: Float64Array, bias: Float64Array | null, out0: Float64Array | null): Float64Array {
  const { M, N, K } = c;
  const batch = c.batch ?? 1;
  const want = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const a = c.shared === 'a' ? A : A.subarray(z * M * K, (z + 1) * M * K);
    const b = c.shared === 'b' ? B : B.subarray(z * K * N, (z + 1) * K * N);
    let y = ref.matmul(a, b, M, N, K, { transA: c.transA, transB: c.transB });
    if (bias) y = ref.addBias(y, bias, M, N);
    want.set(y, z * M * N);
  }
  if (out0) for (let i = 0; i < want.length; i++) want[i] += out0[i];
  return want;
}

async function check(gpu: Gpu, rng: Rng, seed: number, c: Case): Promise<void> {
  const { M, N, K } = c;
  const batch = c.batch ?? 1;
  const aItems = c.shared === 'a' ? 1 : batch;
  const bItems = c.shared === 'b' ? 1 : batch;
  const A = r32(rng.uniform(aItems * M * K));
  const B = r32(rng.uniform(bItems * K * N));
  const bias = c.bias ? r32(rng.uniform(N)) : null;
  const out0 = c.accumulate ? r32(rng.uniform(batch * M * N)) : null;
  const aMat = c.transA ? [K, M] : [M, K];
  const bMat = c.transB ? [N, K] : [K, N];
  const a = gpu.tensor(c.batch && c.shared !== 'a' ? [batch, ...aMat] : aMat, 'a', A);
  const b = gpu.tensor(c.batch && c.shared !== 'b' ? [batch, ...bMat] : bMat, 'b', B);
  const outShape = c.batch ? [batch, M, N] : [M, N];
  // accumulate needs real numbers in out; otherwise NaN catches any element the kernel forgets
  const out = out0 ? gpu.tensor(outShape, 'out', out0) : poisoned(gpu, outShape, 'out');
  const tb = bias ? gpu.tensor([N], 'bias', bias) : undefined;
  const o: MatmulOptions = { transA: c.transA, transB: c.transB, bias: tb, accumulate: c.accumulate };
  if (c.batch) o.batch = batch;
  matmul(gpu, out, a, b, o);
  const got = await out.read();
  const want = reference(c, A, B, bias, out0);
  // Outputs whose terms cancel (M=N=1) are judged against the terms' magnitude too: a few f32 roundings of it.
  const terms = reference(c, absOf(A), absOf(B), bias && absOf(bias), out0 && absOf(out0));
  const atol = REL_TO_MAX * maxAbs(want) + TERMS_ROUNDING * maxAbs(terms);
  expectClose(got, want, { rtol: RTOL, atol, label: describeCase(c), seed });
  for (const t of [a, b, out, tb]) t?.release();
}

describe('matmul', () => {
  // Awkward sizes (1, 7, 65, 129, 257) mixed over M, N, K in every transpose form: partial tiles on every
  // edge, K shorter than a staged tile, single rows and columns.
  const awkward: Case[] = [
    { M: 129, N: 65, K: 257 },
    { M: 1, N: 7, K: 65 },
    { M: 257, N: 7, K: 129, transB: true },
    { M: 65, N: 129, K: 1, transB: true },
    { M: 7, N: 257, K: 65, transA: true },
    { M: 129, N: 1, K: 129, transA: true },
    { M: 65, N: 65, K: 7, transA: true, transB: true },
    { M: 1, N: 1, K: 257, transA: true, transB: true },
  ];
  for (const c of awkward) {
    it(describeCase(c), async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      await check(gpu, rng, seed, c);
    });
  }

  // Whole tiles with every dimension a multiple of 4: the vec4 global loads (and their alignment) run.
  it('aligned sizes in all four transpose forms (vec4 loads)', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      await check(gpu, rng, seed, { M: 256, N: 128, K: 68, transA, transB });
    }
  });

  it('bias and accumulate (forward with bias, dW += Xᵀ·dY, tied-embedding NT)', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    await check(gpu, rng, seed, { M: 129, N: 65, K: 33, bias: true });
    await check(gpu, rng, seed, { M: 65, N: 129, K: 257, transA: true, accumulate: true });
    await check(gpu, rng, seed, { M: 7, N: 257, K: 20, transB: true, accumulate: true, bias: true });
  });

  it('batched: contiguous batch items, and one matrix shared by all items', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    await check(gpu, rng, seed, { M: 65, N: 7, K: 129, batch: 3 });
    await check(gpu, rng, seed, { M: 20, N: 36, K: 16, batch: 4, transB: true, accumulate: true, bias: true });
    await check(gpu, rng, seed, { M: 33, N: 9, K: 65, batch: 3, transA: true, shared: 'b' });
    await check(gpu, rng, seed, { M: 7, N: 65, K: 12, batch: 2, shared: 'a', bias: true });
  });

  // The other tile shapes the benchmark and other adapters use: small workgroups, a shallow K tile and
  // fewer workgroups than tiles (each workgroup loops over several tiles).
  it('other tile configurations, including fewer workgroups than tiles', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const saved = getMatmulTiles(gpu);
    try {
      // 32×32 tiles, K staged 8 at a time, 3 workgroups for 15 tiles; then one workgroup per tile
      setMatmulTiles(gpu, { WGX: 4, WGY: 2, BK: 8, maxWorkgroups: 3 });
      await check(gpu, rng, seed, { M: 65, N: 70, K: 21, batch: 2, transA: true });
      setMatmulTiles(gpu, { maxWorkgroups: 0 });
      await check(gpu, rng, seed, { M: 33, N: 129, K: 9, batch: 2, transA: true });
    } finally {
      setMatmulTiles(gpu, saved);
    }
    expect(getMatmulTiles(gpu)).toEqual(tilesFor(gpu));
  });

  it('rejects bad shapes before dispatching, naming the op and every shape', async () => {
    const gpu = await testGpu();
    const t = (shape: number[], label: string) => gpu.tensor(shape, label);
    const a = t([4, 3], 'x');
    const b = t([3, 5], 'w');
    const out = t([4, 5], 'y');
    const before = gpu.dispatchCount;
    const bad: [() => void, RegExp][] = [
      [() => matmul(gpu, out, a, t([4, 5], 'w2')), /matmul_nn: out y\[4, 5\], a x\[4, 3\], b w2\[4, 5\]: inner dimensions differ/],
      [() => matmul(gpu, out, a, b, { transA: true }), /matmul_tn: .*x\[4, 3\]ᵀ.*op\(a\) has 3 rows, out has 4/],
      [() => matmul(gpu, t([4, 6], 'y2'), a, b), /matmul_nn: out y2\[4, 6\].*op\(b\) has 5 columns, out has 6/],
      [() => matmul(gpu, out, a, b, { bias: t([4], 'bias') }), /matmul_nn_bias: .*bias bias\[4\]: bias must be \[5\]/],
      [() => matmul(gpu, t([2, 4, 5], 'y3'), t([3, 4, 3], 'x3'), b), /a x3\[3, 4, 3\]: leading dimension 3 is not the batch \(2\)/],
      [() => matmul(gpu, out, a, b, { batch: 2 }), /a batched matmul needs out as \[batch, M, N\]/],
      [() => matmul(gpu, a, a, t([3, 3], 'w3')), /out must not alias an input/],
      [() => matmul(gpu, out, gpu.tensor([4, 3], 'ids', undefined, 'u32'), b), /ids is u32, expected f32/],
    ];
    for (const [f, msg] of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GpuError);
      expect((err as GpuError).kind).toBe('shape');
      expect((err as Error).message).toMatch(msg);
    }
    expect(gpu.dispatchCount).toBe(before);
    await gpu.sync();
  });
});

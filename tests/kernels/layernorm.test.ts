import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import { layernormForward, layernormBackward } from '../../src/model/kernels/layernorm.ts';
import { setSubgroupKernels } from '../../src/model/kernels/reduce.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Tolerances (|err| ≤ atol + rtol·|want|): the forward's out/mean/rstd and the backward's dx come out of
// row reductions in f32: rtol 1e-5 with atol 1e-5·max|tensor| for out, mean and rstd, 1e-4·max|dx| for dx.
// dw/db are column reductions over N rows: rtol 1e-4, atol 1e-4·max|tensor|.
const CASES = [
  [1, 1],
  [7, 65],
  [129, 7],
  [65, 257],
  [257, 129],
  [5, 768],
];

// Every case runs on the device's own variant (one row per subgroup where it has subgroups) and on the
// workgroup-memory fallback, forced with setSubgroupKernels(gpu, false). Each test sets the variant first.
const VARIANTS = [
  { suffix: '', subgroups: true },
  { suffix: ' (workgroup-memory fallback)', subgroups: false },
];

describe('layernorm', () => {
  for (const { suffix, subgroups } of VARIANTS) for (const [N, C] of CASES) {
    it(`forward + backward N=${N} C=${C}${suffix}`, async () => {
      const gpu = await testGpu();
      setSubgroupKernels(gpu, subgroups);
      const { rng, seed } = freshRng();
      const x = r32(rng.normals(N * C, 2).map((v) => v + 3));
      const w = r32(rng.normals(C, 0.2).map((v) => v + 1));
      const b = r32(rng.normals(C, 0.2));
      const dout = r32(rng.normals(N * C));
      const want = ref.layernorm(x, w, b, N, C);
      const wantB = ref.layernormBackward(dout, x, w, want.mean, want.rstd, N, C);

      const tx = gpu.tensor([N, C], 'x', x);
      const tw = gpu.tensor([C], 'w', w);
      const tb = gpu.tensor([C], 'b', b);
      const out = poisoned(gpu, [N, C], 'out');
      const mean = poisoned(gpu, [N], 'mean');
      const rstd = poisoned(gpu, [N], 'rstd');
      layernormForward(gpu, out, mean, rstd, tx, tw, tb, { N, C });
      const tol = (t: ArrayLike<number>, rel: number) => ({ rtol: rel, atol: rel * maxAbs(t), seed });
      expectClose(await out.read(), want.out, { ...tol(want.out, 1e-5), label: 'out' });
      expectClose(await mean.read(), want.mean, { ...tol(want.mean, 1e-5), label: 'mean' });
      expectClose(await rstd.read(), want.rstd, { ...tol(want.rstd, 1e-5), label: 'rstd' });

      const td = gpu.tensor([N, C], 'dout', dout);
      const dx = poisoned(gpu, [N, C], 'dx');
      const dw = poisoned(gpu, [C], 'dw');
      const db = poisoned(gpu, [C], 'db');
      layernormBackward(gpu, dx, dw, db, td, tx, tw, mean, rstd, { N, C });
      // dx = rstd·(w·dout − means of w·dout terms): it comes out of a cancellation, so its fp32 error scales
      // with the terms, rstd·|w·dout|, not with dx itself (dx is exactly 0 when C = 1; a real GPU gives ~1e-7).
      const terms = maxAbs(want.rstd) * maxAbs(w) * maxAbs(dout);
      const dxTol = { rtol: 1e-4, atol: 1e-4 * Math.max(maxAbs(wantB.dx), 1e-2 * terms), seed };
      expectClose(await dx.read(), wantB.dx, { ...dxTol, label: 'dx' });
      const gotDw = await dw.read();
      expectClose(gotDw, wantB.dw, { ...tol(wantB.dw, 1e-4), label: 'dw' });
      expectClose(await db.read(), wantB.db, { ...tol(wantB.db, 1e-4), label: 'db' });

      // accumulate flags add into what is there
      const base = r32(rng.normals(N * C));
      const baseW = r32(rng.normals(C));
      const baseB = r32(rng.normals(C));
      gpu.upload(dx, base);
      gpu.upload(dw, baseW);
      gpu.upload(db, baseB);
      layernormBackward(gpu, dx, dw, db, td, tx, tw, mean, rstd, { N, C, accumulateDx: true, accumulateParams: true });
      const sdx = ref.add(base, wantB.dx);
      const sdw = ref.add(baseW, wantB.dw);
      const sdb = ref.add(baseB, wantB.db);
      expectClose(await dx.read(), sdx, { ...tol(sdx, 1e-4), atol: Math.max(dxTol.atol, 1e-4 * maxAbs(sdx)), label: 'dx (accumulate)' });
      expectClose(await dw.read(), sdw, { ...tol(sdw, 1e-4), label: 'dw (accumulate)' });
      expectClose(await db.read(), sdb, { ...tol(sdb, 1e-4), label: 'db (accumulate)' });

      // overwrite again: deterministic bits
      layernormBackward(gpu, dx, dw, db, td, tx, tw, mean, rstd, { N, C });
      expect(Array.from(await dw.read())).toEqual(Array.from(gotDw));

      for (const t of [tx, tw, tb, out, mean, rstd, td, dx, dw, db]) t.release();
    });
  }

  for (const { suffix, subgroups } of VARIANTS) {
    it(`forward and dx are bitwise deterministic (rows in any order)${suffix}`, async () => {
      const gpu = await testGpu();
      setSubgroupKernels(gpu, subgroups);
      const { rng } = freshRng();
      const N = 1000, C = 37;
      const x = gpu.tensor([N, C], 'x', rng.normals(N * C, 3));
      const w = gpu.tensor([C], 'w', rng.normals(C));
      const b = gpu.tensor([C], 'b', rng.normals(C));
      const dout = gpu.tensor([N, C], 'dout', rng.normals(N * C));
      const [out, dx] = [poisoned(gpu, [N, C], 'out'), poisoned(gpu, [N, C], 'dx')];
      const [mean, rstd] = [poisoned(gpu, [N], 'mean'), poisoned(gpu, [N], 'rstd')];
      const [dw, db] = [poisoned(gpu, [C], 'dw'), poisoned(gpu, [C], 'db')];
      const run = async () => {
        layernormForward(gpu, out, mean, rstd, x, w, b, { N, C });
        layernormBackward(gpu, dx, dw, db, dout, x, w, mean, rstd, { N, C });
        return [await out.read(), await mean.read(), await rstd.read(), await dx.read(), await db.read()].map((a) => Array.from(a));
      };
      const first = await run();
      expect(first.every((a) => a.every(Number.isFinite))).toBe(true);
      expect(await run()).toEqual(first);
      for (const t of [x, w, b, dout, out, dx, mean, rstd, dw, db]) t.release();
    });
  }

  it('dispatches the subgroup variant exactly when the device has subgroups', async () => {
    const gpu = await testGpu();
    const has = gpu.hasFeature('subgroups');
    const N = 3, C = 8;
    const [x, out, dout, dx] = [0, 1, 2, 3].map((i) => gpu.tensor([N, C], `t${i}`, new Float32Array(N * C).fill(i)));
    const [w, b, dw, db] = [0, 1, 2, 3].map((i) => gpu.tensor([C], `c${i}`, new Float32Array(C).fill(1)));
    const [mean, rstd] = [0, 1].map((i) => gpu.tensor([N], `r${i}`));
    const compiled = () => [...gpu.pipelines.keys()].map((k) => k.split('\0')[0]);
    for (const subgroups of [true, false]) {
      setSubgroupKernels(gpu, subgroups);
      layernormForward(gpu, out, mean, rstd, x, w, b, { N, C });
      layernormBackward(gpu, dx, dw, db, dout, x, w, mean, rstd, { N, C });
      await gpu.sync();
    }
    expect(compiled().includes('layernorm_fwd_sg')).toBe(has);
    expect(compiled().includes('layernorm_bwd_dx_sg')).toBe(has);
    expect(compiled().includes('layernorm_fwd')).toBe(true);
    for (const t of [x, out, dout, dx, w, b, dw, db, mean, rstd]) t.release();
  });

  it('rejects mismatched shapes before dispatch', async () => {
    const gpu = await testGpu();
    const x = gpu.tensor([4, 8], 'x');
    const w = gpu.tensor([8], 'w');
    const b = gpu.tensor([7], 'b');
    const m = gpu.tensor([4], 'mean');
    const r = gpu.tensor([4], 'rstd');
    const out = gpu.tensor([4, 8], 'out');
    const before = gpu.dispatchCount;
    expect(() => layernormForward(gpu, out, m, r, x, w, b, { N: 4, C: 8 })).toThrow(/layernormForward: b is b\[7\]/);
    expect(() => layernormForward(gpu, x, m, r, x, w, w, { N: 4, C: 8 })).toThrow(/layernormForward: .*same buffer/);
    expect(() => layernormBackward(gpu, out, w, w, x, x, w, m, r, { N: 4, C: 8 })).toThrow(/layernormBackward/);
    expect(() => layernormBackward(gpu, out, w, b, x, x, w, m, r, { N: 4, C: 8 })).toThrow(/layernormBackward: db/);
    expect(gpu.dispatchCount).toBe(before);
    for (const t of [x, w, b, m, r, out]) t.release();
  });
});

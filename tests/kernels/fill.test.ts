import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import type { Gpu } from '../../src/model/gpu/runtime.ts';
import { fill, zero } from '../../src/model/kernels/fill.ts';
import { residualAdd } from '../../src/model/kernels/residual.ts';
import { geluForward } from '../../src/model/kernels/gelu.ts';
import { embeddingForward, embeddingBackward } from '../../src/model/kernels/embedding.ts';
import { layernormForward } from '../../src/model/kernels/layernorm.ts';
import { crossEntropy } from '../../src/model/kernels/crossentropy.ts';
import { adamw } from '../../src/model/kernels/adamw.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

describe('fill', () => {
  it('fills f32, u32 and i32 tensors of awkward sizes', async () => {
    const gpu = await testGpu();
    for (const n of [1, 7, 257, 65 * 257]) {
      const f = poisoned(gpu, [n], 'f');
      fill(gpu, f, -2.5);
      expect((await f.read()).every((x) => x === -2.5)).toBe(true);
      zero(gpu, f);
      expect((await f.read()).every((x) => Object.is(x, 0))).toBe(true);
      const u = gpu.tensor([n], 'u', undefined, 'u32');
      fill(gpu, u, 0xfffffffe);
      expect((await u.read()).every((x) => x === 0xfffffffe)).toBe(true);
      const i = gpu.tensor([n], 'i', undefined, 'i32');
      fill(gpu, i, -7);
      expect((await i.read()).every((x) => x === -7)).toBe(true);
      for (const t of [f, u, i]) t.release();
    }
  });

  it('rejects a value the dtype cannot hold', async () => {
    const gpu = await testGpu();
    const u = gpu.tensor([3], 'u', undefined, 'u32');
    expect(() => fill(gpu, u, -1)).toThrow(/fill: value -1 does not fit u\[3\]:u32/);
    expect(() => fill(gpu, u, 0.5)).toThrow(/fill/);
    u.release();
  });
});

/** The same device, but reporting at most `max` workgroups per grid dimension, so small problems take the 2-D grid path. */
function smallGrid(gpu: Gpu, max: number): Gpu {
  const limits = { maxComputeWorkgroupsPerDimension: max, maxStorageBufferBindingSize: gpu.limits.maxStorageBufferBindingSize };
  return new Proxy(gpu, { get: (t, k, r) => (k === 'limits' ? limits : Reflect.get(t, k, r)) });
}

// Every kernel that spreads a large 1-D problem over a 2-D grid (more workgroups than one dimension
// allows) must cover each element exactly once: run them with a pretend limit of 3 workgroups per
// dimension. Tolerances as in each family's own test.
describe('2-D grids for large problems', () => {
  it('fill, residual, gelu, embedding, layernorm, crossentropy and adamw', async () => {
    const real = await testGpu();
    const gpu = smallGrid(real, 3);
    const { rng, seed } = freshRng();
    const n = 257 * 7 + 3; // 8 workgroups of 256 → a 3 × 3 grid with one spare
    const a = r32(rng.normals(n));
    const b = r32(rng.normals(n));
    const ta = gpu.tensor([n], 'a', a);
    const tb = gpu.tensor([n], 'b', b);
    const out = poisoned(gpu, [n], 'out');
    fill(gpu, out, 3);
    expect((await out.read()).every((x) => x === 3)).toBe(true);
    residualAdd(gpu, out, ta, tb);
    expectClose(await out.read(), ref.add(a, b), { label: 'add', seed });
    geluForward(gpu, out, ta);
    expectClose(await out.read(), ref.gelu(a), { atol: 1e-6, label: 'gelu', seed });

    const p = r32(a);
    const m = new Float64Array(n);
    const v = new Float64Array(n);
    const tm = gpu.tensor([n], 'm', m);
    const tv = gpu.tensor([n], 'v', v);
    const cfg = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
    adamw(gpu, ta, tb, tm, tv, { ...cfg, step: 1 });
    ref.adamw(p, b, m, v, 1, cfg);
    expectClose(await ta.read(), p, { atol: 1e-6, label: 'adamw', seed });

    // embedding: B*T*C = 970 elements (4 workgroups) and dwte over V = 8 rows: both 2-D
    const B = 2, T = 5, C = 97, V = 8;
    const tokens = Array.from({ length: B * T }, () => rng.int(4));
    const wte = r32(rng.normals(V * C));
    const wpe = r32(rng.normals(T * C));
    const dout = r32(rng.normals(B * T * C));
    const tTok = gpu.tensor([B * T], 'tokens', tokens, 'u32');
    const tWte = gpu.tensor([V, C], 'wte', wte);
    const tWpe = gpu.tensor([T, C], 'wpe', wpe);
    const tDout = gpu.tensor([B * T, C], 'dout', dout);
    const emb = poisoned(gpu, [B * T, C], 'emb');
    embeddingForward(gpu, emb, tTok, tWte, tWpe, { B, T, C });
    expectClose(await emb.read(), ref.embedding(tokens, wte, wpe, B, T, C), { label: 'embedding', seed });
    const dwte = poisoned(gpu, [V, C], 'dwte');
    const dwpe = poisoned(gpu, [T, C], 'dwpe');
    embeddingBackward(gpu, dwte, dwpe, tDout, tTok, { B, T, C, V });
    const want = ref.embeddingBackward(dout, tokens, B, T, C, V);
    expectClose(await dwte.read(), want.dwte, { rtol: 1e-4, atol: 1e-4 * maxAbs(want.dwte), label: 'dwte', seed });
    expectClose(await dwpe.read(), want.dwpe, { rtol: 1e-4, atol: 1e-4 * maxAbs(want.dwpe), label: 'dwpe', seed });

    // row kernels: N = 8 rows, a 3 × 3 grid
    const N = 8;
    const x = r32(rng.normals(N * C, 3));
    const w = r32(rng.normals(C));
    const bias = r32(rng.normals(C));
    const tx = gpu.tensor([N, C], 'x', x);
    const tw = gpu.tensor([C], 'w', w);
    const tbias = gpu.tensor([C], 'bias', bias);
    const ln = poisoned(gpu, [N, C], 'ln');
    const mean = poisoned(gpu, [N], 'mean');
    const rstd = poisoned(gpu, [N], 'rstd');
    layernormForward(gpu, ln, mean, rstd, tx, tw, tbias, { N, C });
    const wantLn = ref.layernorm(x, w, bias, N, C);
    expectClose(await ln.read(), wantLn.out, { rtol: 1e-5, atol: 1e-5 * maxAbs(wantLn.out), label: 'layernorm', seed });

    const targets = Array.from({ length: N }, () => rng.int(C));
    const weights = new Float64Array(N).fill(1);
    const tTargets = gpu.tensor([N], 'targets', targets, 'u32');
    const tWeights = gpu.tensor([N], 'weights', weights);
    const losses = poisoned(gpu, [N], 'losses');
    const dlogits = poisoned(gpu, [N, C], 'dlogits');
    crossEntropy(gpu, losses, dlogits, tx, tTargets, tWeights, { N, V: C, weightSum: N });
    expectClose(await losses.read(), ref.crossEntropy(x, targets, weights, N, C).losses, { atol: 1e-5 * maxAbs(x), label: 'losses', seed });
    const wantD = ref.crossEntropyBackward(x, targets, weights, N, C);
    expectClose(await dlogits.read(), wantD, { rtol: 1e-4, atol: 1e-5 * maxAbs(wantD), label: 'dlogits', seed });

    for (const t of [ta, tb, out, tm, tv, tTok, tWte, tWpe, tDout, emb, dwte, dwpe, tx, tw, tbias, ln, mean, rstd, tTargets, tWeights, losses, dlogits]) t.release();
  });
});

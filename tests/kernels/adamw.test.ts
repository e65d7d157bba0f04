import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs } from '../helpers/compare.ts';
import { adamw } from '../../src/model/kernels/adamw.ts';
import { globalNormClip } from '../../src/model/kernels/reduce.ts';
import { fill } from '../../src/model/kernels/fill.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Several steps against the float64 reference: param, m and v must agree to |err| ≤ 1e-5·|want| +
// 1e-5·(the magnitude the value was summed from). f32 rounding is relative to the terms, not the result:
// m is a running sum of signed gradients that can cancel to almost nothing (n=1 once gave m ≈ 3e-6 from
// terms ≈ 1e-2, 5e-4 off relatively), so m is judged against the same sum of |g|; a parameter that starts
// near 0 is judged against the distance the updates can move it (lr per step).
const STEPS = 5;

describe('adamw', () => {
  for (const [n, wd, gradScale] of [
    [1, 0, 1],
    [7, 0.1, 1],
    [257, 0.1, 0.5],
    [129 * 65, 0, 2],
  ] as const) {
    it(`${STEPS} steps n=${n} weightDecay=${wd} gradScale=${gradScale}`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const cfg = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: wd };
      const param = r32(rng.normals(n));
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      const mOfAbs = new Float64Array(n); // m's recurrence on |g|: the scale m's rounding is relative to
      const tp = gpu.tensor([n], 'param', param);
      const tg = gpu.tensor([n], 'grad');
      const tm = gpu.tensor([n], 'm');
      const tv = gpu.tensor([n], 'v');
      fill(gpu, tm, 0);
      fill(gpu, tv, 0);
      for (let step = 1; step <= STEPS; step++) {
        const grad = r32(rng.normals(n, 0.1));
        gpu.upload(tg, grad);
        adamw(gpu, tp, tg, tm, tv, { ...cfg, step, gradScale });
        ref.adamw(param, grad.map((g) => g * gradScale), m, v, step, cfg);
        for (let i = 0; i < n; i++) mOfAbs[i] = cfg.beta1 * mOfAbs[i] + (1 - cfg.beta1) * Math.abs(grad[i] * gradScale);
      }
      const tol = (scale: number) => ({ rtol: 1e-5, atol: 1e-5 * scale, seed });
      expectClose(await tp.read(), param, { ...tol(maxAbs(param) + cfg.lr * STEPS), label: 'param' });
      expectClose(await tm.read(), m, { ...tol(maxAbs(mOfAbs)), label: 'm' });
      expectClose(await tv.read(), v, { ...tol(maxAbs(v)), label: 'v' });
      for (const t of [tp, tg, tm, tv]) t.release();
    });
  }

  it('applies a clip scale computed on the device (gradScaleBuffer) over several steps', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const sizes = [65, 257, 7];
    const cfgs = sizes.map((_, i) => ({ lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: i === 1 ? 0.1 : 0 }));
    const params = sizes.map((n) => r32(rng.normals(n)));
    const ms = sizes.map((n) => new Float64Array(n));
    const vs = sizes.map((n) => new Float64Array(n));
    const tp = params.map((p, i) => gpu.tensor([p.length], `param${i}`, p));
    const tg = sizes.map((n, i) => gpu.tensor([n], `grad${i}`));
    const tm = sizes.map((n, i) => gpu.tensor([n], `m${i}`, new Float64Array(n)));
    const tv = sizes.map((n, i) => gpu.tensor([n], `v${i}`, new Float64Array(n)));
    const clip = gpu.tensor([2], 'clip');
    const maxNorm = 1;
    for (let step = 1; step <= STEPS; step++) {
      // alternate between gradients that get clipped and ones that do not
      const grads = sizes.map((n) => r32(rng.normals(n, step % 2 ? 1 : 0.01)));
      grads.forEach((g, i) => gpu.upload(tg[i], g));
      globalNormClip(gpu, clip, tg, maxNorm);
      sizes.forEach((_, i) => adamw(gpu, tp[i], tg[i], tm[i], tv[i], { ...cfgs[i], step, gradScaleBuffer: clip }));
      const scale = ref.clipScale(ref.globalNorm(grads), maxNorm);
      if (step % 2) expect(scale).toBeLessThan(1);
      else expect(scale).toBe(1);
      sizes.forEach((_, i) => ref.adamw(params[i], grads[i].map((g) => g * scale), ms[i], vs[i], step, cfgs[i]));
    }
    for (let i = 0; i < sizes.length; i++) {
      expectClose(await tp[i].read(), params[i], { rtol: 1e-5, atol: 1e-5 * maxAbs(params[i]), label: `param${i}`, seed });
      expectClose(await tm[i].read(), ms[i], { rtol: 1e-4, atol: 1e-5 * maxAbs(ms[i]), label: `m${i}`, seed });
      expectClose(await tv[i].read(), vs[i], { rtol: 1e-4, atol: 1e-5 * maxAbs(vs[i]), label: `v${i}`, seed });
    }
    for (const t of [...tp, ...tg, ...tm, ...tv, clip]) t.release();
  });

  it('rejects bad arguments before dispatch', async () => {
    const gpu = await testGpu();
    const a = gpu.tensor([8], 'a');
    const b = gpu.tensor([8], 'b');
    const c = gpu.tensor([8], 'c');
    const d = gpu.tensor([9], 'd');
    const cfg = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    const before = gpu.dispatchCount;
    expect(() => adamw(gpu, a, b, c, d, cfg)).toThrow(/adamw: v is d\[9\]/);
    expect(() => adamw(gpu, a, b, c, c, cfg)).toThrow(/adamw: .*same buffer/);
    expect(() => adamw(gpu, a, b, c, b, { ...cfg, step: 0 })).toThrow(/adamw/);
    expect(gpu.dispatchCount).toBe(before);
    for (const t of [a, b, c, d]) t.release();
  });
});

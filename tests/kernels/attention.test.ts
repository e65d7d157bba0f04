import { describe, it, expect } from 'vitest';
import { testGpu } from '../helpers/gpu.ts';
import { expectClose, freshRng, maxAbs, poisoned } from '../helpers/compare.ts';
import {
  attentionBackward,
  attentionBenchCase,
  attentionForward,
  attentionForwardUnfused,
  attentionStatsShape,
  attentionConfig,
  type AttentionDims,
} from '../../src/model/kernels/attention.ts';
import { GpuError } from '../../src/model/gpu/runtime.ts';
import * as ref from '../../src/model/reference/ops.ts';

const r32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

// Tolerance: |got − want| ≤ 1e-4·|want| + 1e-4·max|want| over the tensor. The forward reduces over T keys
// and hs dims, the backward over T queries as well, all in f32 (observed errors are ~1e-6 of the magnitude).
const tol = (want: ArrayLike<number>, seed: number) => ({ rtol: 1e-4, atol: 1e-4 * maxAbs(want), seed });

/** Per-row logsumexp of the scaled causal scores, from the reference's probabilities: lse = s − log p. */
function referenceLse(qkv: Float64Array, att: Float64Array, { B, T, C, NH }: AttentionDims): Float64Array {
  const hs = C / NH;
  const lse = new Float64Array(B * NH * T);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < NH; h++)
      for (let t = 0; t < T; t++) {
        // Any key works; key 0 is never masked.
        let dot = 0;
        for (let d = 0; d < hs; d++) dot += qkv[(b * T + t) * 3 * C + h * hs + d] * qkv[b * T * 3 * C + C + h * hs + d];
        lse[(b * NH + h) * T + t] = dot / Math.sqrt(hs) - Math.log(att[((b * NH + h) * T + t) * T]);
      }
  return lse;
}

// [B, T, C, NH, tile?, kpt?]: hs 8, 16, 64, 128 and 10 (not a multiple of 4); T not a multiple of any tile,
// and the longest context (1024).
// Without tile/kpt the device's default configuration runs; explicit ones force the other code paths (the
// GPU default is tile 16, kpt 2) whatever this device would pick.
const CASES: [number, number, number, number, number?, number?][] = [
  [1, 1, 8, 1],
  [2, 7, 48, 3],
  [1, 65, 64, 1],
  [2, 129, 48, 3],
  [1, 1024, 16, 2],
  [1, 65, 256, 2],
  [2, 33, 40, 4, 4, 1],
  [1, 65, 48, 3, 8, 2],
  [1, 71, 16, 2, 16, 2],
  [1, 50, 16, 2, 4, 8],
];

describe('attention (fused forward + backward)', () => {
  for (const [B, T, C, NH, tile, kpt] of CASES) {
    it(`B=${B} T=${T} C=${C} NH=${NH} (hs ${C / NH})${tile ? ` tile ${tile} kpt ${kpt}` : ''}`, async () => {
      const gpu = await testGpu();
      const { rng, seed } = freshRng();
      const dims = { B, T, C, NH };
      const opts = { tile, kpt };
      const qkv = r32(rng.normals(B * T * 3 * C));
      const dout = r32(rng.normals(B * T * C));
      const want = ref.attention(qkv, B, T, C, NH);
      const wantLse = referenceLse(qkv, want.att, dims);
      const wantDqkv = ref.attentionBackward(dout, qkv, want.att, B, T, C, NH);

      const tq = gpu.tensor([B, T, 3 * C], 'qkv', qkv);
      const tdo = gpu.tensor([B, T, C], 'dout', dout);
      const tout = poisoned(gpu, [B, T, C], 'out');
      const tstats = poisoned(gpu, attentionStatsShape(dims), 'stats');
      const tdq = poisoned(gpu, [B, T, 3 * C], 'dqkv');
      attentionForward(gpu, tout, tstats, tq, dims, opts);
      attentionBackward(gpu, tdq, tdo, tq, tout, tstats, dims, opts);

      expectClose(await tout.read(), want.out, { ...tol(want.out, seed), label: 'out' });
      expectClose(await tstats.read(), wantLse, { ...tol(wantLse, seed), label: 'stats (logsumexp)' });
      expectClose(await tdq.read(), wantDqkv, { ...tol(wantDqkv, seed), label: 'dqkv' });
      for (const t of [tq, tdo, tout, tstats, tdq]) t.release();
    });
  }

  it('out[t] and dq[t] do not depend on any position after t', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const dims = { B: 2, T: 37, C: 32, NH: 2 };
    const { B, T, C } = dims;
    const t = 1 + rng.int(T - 2); // perturb every position > t, in q, k and v of every head
    const qkv = Float32Array.from(rng.normals(B * T * 3 * C));
    const perturbed = qkv.slice();
    for (let b = 0; b < B; b++) for (let i = (b * T + t + 1) * 3 * C; i < (b + 1) * T * 3 * C; i++) perturbed[i] += 1 + rng.next();
    const dout = Float32Array.from(rng.normals(B * T * C));
    // dout past t is the same in both runs; only qkv changes.
    const run = async (x: Float32Array) => {
      const tq = gpu.tensor([B, T, 3 * C], 'qkv', x);
      const tdo = gpu.tensor([B, T, C], 'dout', dout);
      const tout = poisoned(gpu, [B, T, C], 'out');
      const tstats = poisoned(gpu, attentionStatsShape(dims), 'stats');
      const tdq = poisoned(gpu, [B, T, 3 * C], 'dqkv');
      attentionForward(gpu, tout, tstats, tq, dims);
      attentionBackward(gpu, tdq, tdo, tq, tout, tstats, dims);
      const res = { out: (await tout.read()).slice(), dqkv: (await tdq.read()).slice() };
      for (const x of [tq, tdo, tout, tstats, tdq]) x.release();
      return res;
    };
    const a = await run(qkv);
    const b = await run(perturbed);
    for (let bb = 0; bb < B; bb++) {
      for (let i = 0; i <= t; i++) {
        for (let c = 0; c < C; c++) {
          const o = (bb * T + i) * C + c;
          expect(b.out[o], `out[${bb},${i},${c}] changed (t=${t}, TEST_SEED=${seed})`).toBe(a.out[o]);
          const q = (bb * T + i) * 3 * C + c; // the dq columns
          expect(b.dqkv[q], `dq[${bb},${i},${c}] changed (t=${t}, TEST_SEED=${seed})`).toBe(a.dqkv[q]);
        }
      }
      // And the perturbation is visible right after t (the check above is not vacuous).
      let changed = false;
      for (let c = 0; c < C; c++) changed ||= b.out[(bb * T + t + 1) * C + c] !== a.out[(bb * T + t + 1) * C + c];
      expect(changed).toBe(true);
    }
  });

  it('rejects mismatched shapes before dispatching', async () => {
    const gpu = await testGpu();
    const dims = { B: 1, T: 4, C: 8, NH: 2 };
    const qkv = gpu.tensor([1, 4, 24], 'qkv');
    const out = gpu.tensor([1, 4, 8], 'out');
    const stats = gpu.tensor(attentionStatsShape(dims), 'stats');
    const bad = gpu.tensor([1, 4, 7], 'bad');
    const before = gpu.dispatchCount;
    expect(() => attentionForward(gpu, out, stats, bad, dims)).toThrow(GpuError);
    expect(() => attentionForward(gpu, out, stats, qkv, { ...dims, NH: 3 })).toThrow(/multiple of NH/);
    expect(() => attentionForward(gpu, out, out, qkv, dims)).toThrow(/stats/);
    expect(() => attentionBackward(gpu, qkv, out, qkv, out, stats, dims)).toThrow(GpuError);
    expect(() => attentionConfig(gpu, 'attn_fwd', 4096)).toThrow(/head size 4096/);
    expect(gpu.dispatchCount).toBe(before);
    for (const t of [qkv, out, stats, bad]) t.release();
  });
});

describe('attention (unfused baseline, benchmark only)', () => {
  it('matches the reference: B=2 T=33 C=48 NH=3', async () => {
    const gpu = await testGpu();
    const { rng, seed } = freshRng();
    const [B, T, C, NH] = [2, 33, 48, 3];
    const qkv = r32(rng.normals(B * T * 3 * C));
    const want = ref.attention(qkv, B, T, C, NH);
    const tq = gpu.tensor([B, T, 3 * C], 'qkv', qkv);
    const tout = poisoned(gpu, [B, T, C], 'out');
    const tatt = poisoned(gpu, [B, NH, T, T], 'att');
    attentionForwardUnfused(gpu, tout, tatt, tq, { B, T, C, NH });
    expectClose(await tout.read(), want.out, { ...tol(want.out, seed), label: 'out' });
    expectClose(await tatt.read(), want.att, { ...tol(want.att, seed), label: 'att' });
    for (const t of [tq, tout, tatt]) t.release();
  });

  it('bench case queues fwd+bwd and releases its tensors', async () => {
    const gpu = await testGpu();
    const bc = attentionBenchCase(gpu, { B: 1, T: 9, C: 16, NH: 2 });
    const before = gpu.dispatchCount;
    bc.run();
    await gpu.sync();
    expect(gpu.dispatchCount - before).toBe(bc.dispatches);
    expect(bc.flops).toBeGreaterThan(0);
    bc.release();
  });
});

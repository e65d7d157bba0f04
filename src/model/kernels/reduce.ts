// Deterministic reductions to a scalar on the device: sums, sums of squares, and the multi-tensor global
// gradient norm with its clip scale (which adamw reads from the buffer: no host round-trip).
import code from '../../shaders/reduce.wgsl?raw';
import { f32, GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDistinct, checkTensor } from './checks.ts';

const MAX_GROUPS = 256;
/** Workgroups a tensor of n elements is reduced with: ≥ 1024 elements per workgroup, at most 256. */
const groupsFor = (n: number) => Math.max(1, Math.min(MAX_GROUPS, Math.ceil(n / 1024)));

const SUMSQ = { name: 'reduce_sumsq_partial', code, entry: 'sumsq_partial' };
const SUM = { name: 'reduce_sum_partial', code, entry: 'sum_partial' };
const WSUM = { name: 'reduce_wsum_partial', code, entry: 'wsum_partial' };
const FINISH_SUM = { name: 'reduce_finish_sum', code, entry: 'finish_sum' };
const FINISH_CLIP = { name: 'reduce_finish_clip', code, entry: 'finish_clip' };

/** Σ g² of each tensor into its own slot range of one partials buffer (one dispatch per tensor). */
function sumSquaresPartials(gpu: Gpu, op: string, tensors: Tensor[]): { partials: Tensor; count: number } {
  const counts = tensors.map((t) => groupsFor(t.numel));
  const count = counts.reduce((a, b) => a + b, 0);
  const partials = gpu.tensor([count], `${op} partials`);
  let offset = 0;
  tensors.forEach((t, i) => {
    gpu.run({ kernel: SUMSQ, workgroups: [counts[i]], params: [t.numel, offset], buffers: [t, partials] });
    offset += counts[i];
  });
  return { partials, count };
}

export interface SumOptions {
  /** out = scale · Σ weights[i]·x[i] (weights: same element count as x). */
  weights?: Tensor;
  /** Default 1. */
  scale?: number;
}

/** out[0] = scale · Σ_i (weights[i]·) x[i]. out is f32 [1] (overwritten). Deterministic. */
export function sum(gpu: Gpu, out: Tensor, x: Tensor, opts: SumOptions = {}): void {
  const op = 'sum';
  checkTensor(op, 'out', out, 1, '[1]');
  checkTensor(op, 'x', x, x.numel, 'f32');
  if (opts.weights) {
    checkTensor(op, 'weights', opts.weights, x.numel, `x's ${x.numel} elements`);
    checkDistinct(op, { out, x });
    checkDistinct(op, { out, weights: opts.weights });
  } else checkDistinct(op, { out, x });
  const groups = groupsFor(x.numel);
  const partials = gpu.tensor([groups], 'sum partials');
  if (opts.weights) {
    gpu.run({ kernel: WSUM, workgroups: [groups], params: [x.numel, 0], buffers: [x, opts.weights, partials] });
  } else {
    gpu.run({ kernel: SUM, workgroups: [groups], params: [x.numel, 0], buffers: [x, partials] });
  }
  gpu.run({ kernel: FINISH_SUM, workgroups: [1], params: [groups, f32(opts.scale ?? 1)], buffers: [partials, out] });
  partials.release();
}

/** out[0] = Σ_i x[i]². out is f32 [1] (overwritten). Deterministic. */
export function sumSquares(gpu: Gpu, out: Tensor, x: Tensor): void {
  gradNormSquared(gpu, out, [x], 'sumSquares');
}

/** out[0] = Σ over all tensors of Σ g² (the squared global gradient norm). out is f32 [1] (overwritten). */
export function gradNormSquared(gpu: Gpu, out: Tensor, grads: Tensor[], op = 'gradNormSquared'): void {
  checkGrads(op, out, 1, grads);
  const { partials, count } = sumSquaresPartials(gpu, op, grads);
  gpu.run({ kernel: FINISH_SUM, workgroups: [1], params: [count, f32(1)], buffers: [partials, out] });
  partials.release();
}

/**
 * The global gradient norm and its clip factor, computed on the device:
 *   out[0] = min(1, maxNorm / (‖g‖ + 1e-6))   (1 when maxNorm ≤ 0 or not finite: clipping off)
 *   out[1] = ‖g‖ = √(Σ over all tensors of Σ g²)
 * out is f32 [2] (overwritten); pass it to adamw as `gradScaleBuffer` (it reads element 0).
 * One partial-sum dispatch per tensor (≤ 256 workgroups each) plus one finishing dispatch; deterministic.
 */
export function globalNormClip(gpu: Gpu, out: Tensor, grads: Tensor[], maxNorm: number): void {
  const op = 'globalNormClip';
  checkGrads(op, out, 2, grads);
  const { partials, count } = sumSquaresPartials(gpu, op, grads);
  const a = Number.isFinite(maxNorm) && maxNorm > 0 ? maxNorm : 0;
  gpu.run({ kernel: FINISH_CLIP, workgroups: [1], params: [count, f32(a)], buffers: [partials, out] });
  partials.release();
}

function checkGrads(op: string, out: Tensor, outNumel: number, grads: Tensor[]): void {
  checkTensor(op, 'out', out, outNumel, `[${outNumel}]`);
  if (grads.length === 0) throw new GpuError('shape', `${op}: no tensors given`);
  grads.forEach((g, i) => {
    checkTensor(op, `grads[${i}]`, g, g.numel, 'f32');
    if (g.buffer === out.buffer) throw new GpuError('shape', `${op}: grads[${i}] (${g.label}) is the out buffer`);
  });
}

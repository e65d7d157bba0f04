// The AdamW optimizer step, one dispatch per parameter tensor, in place on param and its moments m, v.
import code from '../../shaders/adamw.wgsl?raw';
import { f32, GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDistinct, checkTensor, grid } from './checks.ts';

export interface AdamWOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled decay (param −= lr·wd·param); pass 0 for tensors that are not decayed (biases, LayerNorm). */
  weightDecay: number;
  /** The 1-based step count, for bias correction. */
  step: number;
  /** Multiplies the gradient first (default 1). */
  gradScale?: number;
  /** When given, the gradient is also multiplied by element 0 of this f32 buffer (e.g. globalNormClip's out). */
  gradScaleBuffer?: Tensor;
}

const STEP = { name: 'adamw', code, entry: 'step' };
const STEP_SCALED = { name: 'adamw_scaled', code, entry: 'step_scaled' };

/**
 * One AdamW step in place: g = grad·gradScale(·gradScaleBuffer[0]); m, v updated; param −= lr·(m̂/(√v̂ + eps)
 * + weightDecay·param) with m̂ = m/(1 − β1^step), v̂ = v/(1 − β2^step). param, grad, m, v: equal element
 * counts, f32, distinct buffers. m and v start at zero (the caller zeroes them once).
 */
export function adamw(gpu: Gpu, param: Tensor, grad: Tensor, m: Tensor, v: Tensor, opts: AdamWOptions): void {
  const op = 'adamw';
  const n = param.numel;
  checkTensor(op, 'param', param, n, 'f32');
  checkTensor(op, 'grad', grad, n, `param's ${n} elements`);
  checkTensor(op, 'm', m, n, `param's ${n} elements`);
  checkTensor(op, 'v', v, n, `param's ${n} elements`);
  const sb = opts.gradScaleBuffer;
  if (sb) {
    if (sb.dtype !== 'f32' || sb.numel < 1) throw new GpuError('shape', `${op}: gradScaleBuffer ${sb.label}[${sb.shape.join(', ')}] must be f32 with ≥ 1 element`);
    checkDistinct(op, { param, grad, m, v, gradScaleBuffer: sb });
  } else checkDistinct(op, { param, grad, m, v });
  const { lr, beta1, beta2, eps, weightDecay, step } = opts;
  if (!Number.isInteger(step) || step < 1) throw new GpuError('shape', `${op}: step must be an integer ≥ 1, got ${step}`);
  if (n === 0) return;
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const params = [n, f32(lr), f32(beta1), f32(beta2), f32(1 - beta1), f32(1 - beta2), f32(eps), f32(weightDecay), f32(bc1), f32(bc2), f32(opts.gradScale ?? 1)];
  gpu.run({
    kernel: sb ? STEP_SCALED : STEP,
    workgroups: grid(gpu, Math.ceil(n / 256)),
    params,
    buffers: sb ? [param, grad, m, v, sb] : [param, grad, m, v],
  });
}

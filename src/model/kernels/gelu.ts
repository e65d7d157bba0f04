// GELU (tanh approximation), forward and backward, element-wise.
import code from '../../shaders/gelu.wgsl?raw';
import type { Gpu, Tensor } from '../gpu/runtime.ts';
import { checkDistinct, checkTensor, grid } from './checks.ts';

const FORWARD = { name: 'gelu_fwd', code, entry: 'forward' };
const BACKWARD = { name: 'gelu_bwd', code, entry: 'backward' };

/** out = gelu(x), element-wise; any shapes with equal element counts. Overwrites out (≠ x). */
export function geluForward(gpu: Gpu, out: Tensor, x: Tensor): void {
  const op = 'geluForward';
  checkTensor(op, 'x', x, x.numel, 'f32');
  checkTensor(op, 'out', out, x.numel, `x's ${x.numel} elements`);
  checkDistinct(op, { out, x });
  if (x.numel === 0) return;
  gpu.run({ kernel: FORWARD, workgroups: grid(gpu, Math.ceil(x.numel / 256)), params: [x.numel], buffers: [x, out] });
}

/** dx = dout·gelu'(x), element-wise, from the forward's input x. Overwrites dx (≠ x, dout). */
export function geluBackward(gpu: Gpu, dx: Tensor, x: Tensor, dout: Tensor): void {
  const op = 'geluBackward';
  checkTensor(op, 'x', x, x.numel, 'f32');
  checkTensor(op, 'dout', dout, x.numel, `x's ${x.numel} elements`);
  checkTensor(op, 'dx', dx, x.numel, `x's ${x.numel} elements`);
  checkDistinct(op, { dx, x, dout });
  if (x.numel === 0) return;
  gpu.run({ kernel: BACKWARD, workgroups: grid(gpu, Math.ceil(x.numel / 256)), params: [x.numel], buffers: [x, dout, dx] });
}

// The residual connection: out = a + b, and the in-place dst += src its backward (and gradient sums) need.
import code from '../../shaders/residual.wgsl?raw';
import type { Gpu, Tensor } from '../gpu/runtime.ts';
import { checkDistinct, checkTensor, grid } from './checks.ts';

const ADD = { name: 'residual_add', code, entry: 'add' };
const ACCUMULATE = { name: 'residual_accumulate', code, entry: 'accumulate' };

/** out = a + b element-wise (equal element counts). Overwrites out, which must differ from a and b. */
export function residualAdd(gpu: Gpu, out: Tensor, a: Tensor, b: Tensor): void {
  const op = 'residualAdd';
  checkTensor(op, 'a', a, a.numel, 'f32');
  checkTensor(op, 'b', b, a.numel, `a's ${a.numel} elements`);
  checkTensor(op, 'out', out, a.numel, `a's ${a.numel} elements`);
  checkDistinct(op, { out, a });
  checkDistinct(op, { out, b });
  if (a.numel === 0) return;
  gpu.run({ kernel: ADD, workgroups: grid(gpu, Math.ceil(a.numel / 256)), params: [a.numel], buffers: [a, b, out] });
}

/** dst += src element-wise (equal element counts, distinct tensors). */
export function accumulate(gpu: Gpu, dst: Tensor, src: Tensor): void {
  const op = 'accumulate';
  checkTensor(op, 'dst', dst, dst.numel, 'f32');
  checkTensor(op, 'src', src, dst.numel, `dst's ${dst.numel} elements`);
  checkDistinct(op, { dst, src });
  if (dst.numel === 0) return;
  gpu.run({ kernel: ACCUMULATE, workgroups: grid(gpu, Math.ceil(dst.numel / 256)), params: [dst.numel], buffers: [dst, src] });
}

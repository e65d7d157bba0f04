// fill / zero: sets every element of a tensor (any dtype) to one value, queued in order with the kernels.
import code from '../../shaders/fill.wgsl?raw';
import { GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { describe, grid } from './checks.ts';

const KERNEL = { name: 'fill', code, entry: 'main' };
const bits = new DataView(new ArrayBuffer(4));

/** t[i] = value for all i. For u32/i32 tensors the value must be an integer in the dtype's range. */
export function fill(gpu: Gpu, t: Tensor, value: number): void {
  if (t.dtype === 'f32') bits.setFloat32(0, value, true);
  else if (Number.isInteger(value) && t.dtype === 'u32' && value >= 0 && value <= 0xffffffff) bits.setUint32(0, value, true);
  else if (Number.isInteger(value) && t.dtype === 'i32' && value >= -0x80000000 && value <= 0x7fffffff) bits.setInt32(0, value, true);
  else throw new GpuError('shape', `fill: value ${value} does not fit ${describe(t)} (dtype ${t.dtype})`);
  if (t.numel === 0) return;
  gpu.run({ kernel: KERNEL, workgroups: grid(gpu, Math.ceil(t.numel / 256)), params: [t.numel, bits.getUint32(0, true)], buffers: [t] });
}

/** t[i] = 0. */
export function zero(gpu: Gpu, t: Tensor): void {
  fill(gpu, t, 0);
}

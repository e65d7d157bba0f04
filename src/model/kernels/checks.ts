// Shared pre-dispatch checks and grid helpers for the element-wise / row-wise kernel families
// (embedding, layernorm, gelu, residual, crossentropy, adamw, reduce, fill). Every check throws
// GpuError('shape', …) naming the op, the argument and its actual and expected shapes, before anything is
// queued on the GPU.
import { GpuError, type DType, type Gpu, type Tensor } from '../gpu/runtime.ts';

/** `label[d0, d1]` (plus the dtype when it is not f32), for error messages. */
export function describe(t: Tensor): string {
  return `${t.label}[${t.shape.join(', ')}]${t.dtype === 'f32' ? '' : `:${t.dtype}`}`;
}

/** Sizes passed in an options object must be positive integers. */
export function checkDims(op: string, dims: Record<string, number | undefined>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (v === undefined || !Number.isInteger(v) || v <= 0) throw new GpuError('shape', `${op}: ${k} must be a positive integer, got ${v}`);
  }
}

/**
 * `t` must hold exactly `numel` elements of one of `dtypes`. Shapes are compared by element count so
 * [B, T, C] and [B*T, C] are both accepted; `expected` says what the op wanted (e.g. "[N=7, C=65]").
 */
export function checkTensor(op: string, arg: string, t: Tensor, numel: number, expected: string, dtypes: DType[] = ['f32']): void {
  if (t.numel !== numel) {
    throw new GpuError('shape', `${op}: ${arg} is ${describe(t)} (${t.numel} elements), expected ${expected} (${numel} elements)`);
  }
  if (!dtypes.includes(t.dtype)) {
    throw new GpuError('shape', `${op}: ${arg} is ${describe(t)} with dtype ${t.dtype}, expected ${dtypes.join(' or ')}`);
  }
}

/** Outputs may not share a buffer with any other argument (WebGPU rejects a writable binding that aliases). */
export function checkDistinct(op: string, args: Record<string, Tensor>): void {
  const seen = new Map<GPUBuffer, string>();
  for (const [name, t] of Object.entries(args)) {
    const other = seen.get(t.buffer);
    if (other) throw new GpuError('shape', `${op}: ${name} (${describe(t)}) and ${other} are the same buffer; they must differ`);
    seen.set(t.buffer, name);
  }
}

/**
 * Workgroup counts for `groups` workgroups laid out on a 2-D grid (each dimension ≤ the device maximum).
 * Kernels recover the linear id as wid.y * num_workgroups.x + wid.x and ignore ids ≥ groups.
 */
export function grid(gpu: Gpu, groups: number): [number, number] {
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}

/** `t` must be a matrix [rows ≥ minRows, cols] (by element count); returns rows. */
export function checkRows(op: string, arg: string, t: Tensor, cols: number, expected: string, minRows = 1): number {
  const rows = t.numel / cols;
  if (!Number.isInteger(rows) || rows < minRows) {
    throw new GpuError('shape', `${op}: ${arg} is ${describe(t)} (${t.numel} elements), expected ${expected}`);
  }
  if (t.dtype !== 'f32') throw new GpuError('shape', `${op}: ${arg} is ${describe(t)} with dtype ${t.dtype}, expected f32`);
  return rows;
}

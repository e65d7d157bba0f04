// Standalone row-wise softmax (sampling probabilities from logits): one workgroup per row, a single
// online (max, sum) pass per thread, a tree reduction, then the normalised write.
import code from '../../shaders/softmax.wgsl?raw';
import type { Gpu, Tensor } from '../gpu/runtime.ts';
import { checkDims, checkDistinct, checkTensor, grid } from './checks.ts';

export interface SoftmaxDims {
  rows: number;
  cols: number;
}

/** Threads per row: few for short rows (most would idle), 256 for vocabulary-sized rows. */
function workgroupSize(gpu: Gpu, cols: number): number {
  const want = cols <= 64 ? 32 : cols <= 1024 ? 64 : 256;
  let wg = 1;
  while (wg * 2 <= Math.min(want, gpu.limits.maxComputeInvocationsPerWorkgroup, gpu.limits.maxComputeWorkgroupSizeX)) wg *= 2;
  return wg;
}

/** out[r, :] = softmax(x[r, :]) for every row of x [rows, cols]; out may not alias x. */
export function softmax(gpu: Gpu, out: Tensor, x: Tensor, { rows, cols }: SoftmaxDims): void {
  const op = 'softmax';
  checkDims(op, { rows, cols });
  const expected = `[rows=${rows}, cols=${cols}]`;
  checkTensor(op, 'x', x, rows * cols, expected);
  checkTensor(op, 'out', out, rows * cols, expected);
  checkDistinct(op, { out, x });
  const WG = workgroupSize(gpu, cols);
  const [gx, gy] = grid(gpu, rows);
  gpu.run({
    kernel: { name: 'softmax', code, entry: 'main', constants: { WG } },
    workgroups: [gx, gy],
    params: [rows, cols, gx],
    buffers: [x, out],
  });
}

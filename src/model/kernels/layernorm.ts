// LayerNorm over rows of [N, C], forward (saving mean/rstd) and backward (dx, dw, db).
import source from '../../shaders/layernorm.wgsl?raw';
import { f32, GpuError, type Gpu, type KernelSpec, type Tensor } from '../gpu/runtime.ts';
import { checkDims, checkDistinct, checkTensor, grid } from './checks.ts';
import { kernelVariants, rowsPerWorkgroup, useSubgroups } from './reduce.ts';

const code = kernelVariants(source);

export interface LayerNormDims {
  N: number;
  C: number;
}

export interface LayerNormForwardOptions extends LayerNormDims {
  /** Default 1e-5 (GPT-2). */
  eps?: number;
}

export interface LayerNormBackwardOptions extends LayerNormDims {
  /** Add into dx instead of overwriting it (the residual stream's gradient is already there). */
  accumulateDx?: boolean;
  /** Add into dw and db instead of overwriting them (gradient accumulation over micro-batches). */
  accumulateParams?: boolean;
}

const ROWS = 32; // rows per dw/db partial-sum chunk; must match layernorm.wgsl

/** Threads per row (workgroup-memory variant): a power of two, about C/2, between 64 and 256. */
function workgroupSize(C: number): number {
  return C >= 512 ? 256 : C >= 256 ? 128 : 64;
}

/** Workgroup size of the one-row-per-subgroup variant. */
const SG_WG = 64;

/**
 * A row kernel (`entry` with the workgroup-memory fallback, `entry`_sg with subgroups) and its grid: one
 * workgroup per row, or one per RPW rows with one row per subgroup.
 */
function rowKernel(gpu: Gpu, name: string, entry: string, N: number, C: number): { kernel: KernelSpec; workgroups: [number, number] } {
  if (useSubgroups(gpu)) {
    const RPW = rowsPerWorkgroup(gpu, SG_WG);
    return {
      kernel: { name: `${name}_sg`, code: code.subgroups, entry: `${entry}_sg`, constants: { WG: SG_WG, RPW } },
      workgroups: grid(gpu, Math.ceil(N / RPW)),
    };
  }
  return { kernel: { name, code: code.plain, entry, constants: { WG: workgroupSize(C) } }, workgroups: grid(gpu, N) };
}

/**
 * out = (x − mean)·rstd·w + b per row; mean[N] and rstd[N] = 1/√(var + eps) are saved for the backward.
 * x, out [N, C]; w, b [C]. Overwrites out, mean, rstd. One subgroup per row (subgroupAdd reductions, no
 * barriers) where the device has subgroups, else one workgroup per row (trees in workgroup memory).
 */
export function layernormForward(
  gpu: Gpu,
  out: Tensor,
  mean: Tensor,
  rstd: Tensor,
  x: Tensor,
  w: Tensor,
  b: Tensor,
  opts: LayerNormForwardOptions,
): void {
  const op = 'layernormForward';
  const { N, C } = opts;
  checkDims(op, { N, C });
  const nc = `[N=${N}, C=${C}]`;
  checkTensor(op, 'x', x, N * C, nc);
  checkTensor(op, 'out', out, N * C, nc);
  checkTensor(op, 'w', w, C, `[C=${C}]`);
  checkTensor(op, 'b', b, C, `[C=${C}]`);
  checkTensor(op, 'mean', mean, N, `[N=${N}]`);
  checkTensor(op, 'rstd', rstd, N, `[N=${N}]`);
  checkDistinct(op, { out, mean, rstd, x, w, b });
  gpu.run({
    ...rowKernel(gpu, 'layernorm_fwd', 'forward', N, C),
    params: [N, C, f32(opts.eps ?? 1e-5)],
    buffers: [x, w, b, out, mean, rstd],
  });
}

/**
 * Given dout [N, C] and the forward's x, w, mean, rstd:
 *   dx [N, C] = rstd·(dnorm − mean_c(dnorm) − norm·mean_c(dnorm·norm)),  dnorm = dout·w, norm = (x−mean)·rstd
 *   dw [C] = Σ_rows dout·norm,  db [C] = Σ_rows dout   (two-stage fixed-order sums: deterministic)
 * Overwrites dx / dw, db unless accumulateDx / accumulateParams. Scratch: 2·ceil(N/32)·C floats.
 */
export function layernormBackward(
  gpu: Gpu,
  dx: Tensor,
  dw: Tensor,
  db: Tensor,
  dout: Tensor,
  x: Tensor,
  w: Tensor,
  mean: Tensor,
  rstd: Tensor,
  opts: LayerNormBackwardOptions,
): void {
  const op = 'layernormBackward';
  const { N, C } = opts;
  checkDims(op, { N, C });
  const nc = `[N=${N}, C=${C}]`;
  checkTensor(op, 'dx', dx, N * C, nc);
  checkTensor(op, 'dout', dout, N * C, nc);
  checkTensor(op, 'x', x, N * C, nc);
  checkTensor(op, 'dw', dw, C, `[C=${C}]`);
  checkTensor(op, 'db', db, C, `[C=${C}]`);
  checkTensor(op, 'w', w, C, `[C=${C}]`);
  checkTensor(op, 'mean', mean, N, `[N=${N}]`);
  checkTensor(op, 'rstd', rstd, N, `[N=${N}]`);
  checkDistinct(op, { dx, dw, db, dout, x, w, mean, rstd });
  const chunks = Math.ceil(N / ROWS);
  if (chunks > gpu.limits.maxComputeWorkgroupsPerDimension) {
    throw new GpuError('shape', `${op}: N=${N} rows is more than this device's dw/db grid allows (${ROWS}·${gpu.limits.maxComputeWorkgroupsPerDimension})`);
  }
  gpu.run({
    ...rowKernel(gpu, 'layernorm_bwd_dx', 'backward_dx', N, C),
    params: [N, C, opts.accumulateDx ? 1 : 0],
    buffers: [dout, x, w, mean, rstd, dx],
  });
  const partial = gpu.tensor([2, chunks, C], 'layernorm dw/db partials');
  gpu.run({
    kernel: { name: 'layernorm_bwd_dwdb_partial', code: code.plain, entry: 'backward_dwdb_partial' },
    workgroups: [Math.ceil(C / 64), chunks],
    params: [N, C, chunks],
    buffers: [dout, x, mean, rstd, partial],
  });
  gpu.run({
    kernel: { name: 'layernorm_bwd_dwdb_final', code: code.plain, entry: 'backward_dwdb_final' },
    workgroups: [Math.ceil((2 * C) / 64)],
    params: [C, chunks, opts.accumulateParams ? 1 : 0],
    buffers: [partial, dw, db],
  });
  partial.release();
}

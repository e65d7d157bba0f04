// A linear layer for a few rows (linear-rows.wgsl): exactly M·N·K multiply-adds, where the tiled matmul
// would compute a whole 128-row tile for one decoding token. `linear` picks between the two.
import code from '../../shaders/linear-rows.wgsl?raw';
import { GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDims, checkDistinct, checkTensor } from './checks.ts';
import { matmul } from './matmul.ts';

const MAX_RB = 4; // rows per thread at most (MAXRB in the WGSL)
const WG = 64;

export interface LinearRowsOptions {
  /** W is stored [N, K] and used transposed (the tied LM head: x·wteᵀ). */
  transW?: boolean;
  bias?: Tensor;
}

/**
 * out [M, N] = x [M, K]·W (+ bias), W stored [K, N]; with transW, W stored [N, K] and out = x·Wᵀ.
 * M, N, K are taken from the shapes of out and x. Overwrites out (which must differ from the inputs).
 */
export function linearRows(gpu: Gpu, out: Tensor, x: Tensor, w: Tensor, o: LinearRowsOptions = {}): void {
  const op = 'linearRows';
  if (out.shape.length !== 2 || x.shape.length !== 2) throw new GpuError('shape', `${op}: out and x must be 2-D, got [${out.shape}] and [${x.shape}]`);
  const [M, N] = out.shape;
  const K = x.shape[1];
  checkDims(op, { M, N, K });
  checkTensor(op, 'x', x, M * K, `[M=${M}, K=${K}]`);
  checkTensor(op, 'w', w, K * N, o.transW ? `[N=${N}, K=${K}]` : `[K=${K}, N=${N}]`);
  if (o.bias) checkTensor(op, 'bias', o.bias, N, `[N=${N}]`);
  checkDistinct(op, { out, x, w, ...(o.bias ? { bias: o.bias } : {}) });
  // The vec4 forms need whole vec4s along W's rows: N % 4 (untransposed) or K % 4 (transposed).
  const vec = o.transW ? K % 4 === 0 : N % 4 === 0;
  const RB = Math.min(M, MAX_RB);
  const gx = Math.ceil(N / (vec ? 4 * WG : WG));
  const gy = Math.ceil(M / RB);
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (gx > max || gy > max) throw new GpuError('shape', `${op}: N=${N} or M=${M} too large for one grid`);
  const entry = vec ? (o.transW ? 'main_nt' : 'main_nn') : 'main_scalar';
  const constants: Record<string, number> = { HAS_BIAS: o.bias ? 1 : 0, RB, WG };
  if (!vec) constants.TRANS_W = o.transW ? 1 : 0;
  gpu.run({
    kernel: { name: `linear_rows_${entry.slice(5)}${o.bias ? '_bias' : ''}`, code, entry, constants },
    workgroups: [gx, gy],
    params: [M, N, K],
    // Without a bias the binding still has to exist: x stands in (never read when !HAS_BIAS).
    buffers: [x, w, o.bias ?? x, out],
  });
}

/** Rows up to which linearRows beats the tiled matmul (whose tiles are 128 rows high): on SwiftShader,
 *  [M, 384]·[384, 1536] took 165 ms at M = 16 vs 311 ms tiled, 402 vs 420 ms at M = 32, 754 vs 291 at 64. */
export const LINEAR_ROWS_MAX_M = 24;

/** out = x·W (+ bias) (or x·Wᵀ): linearRows for a few rows, the tiled matmul otherwise. */
export function linear(gpu: Gpu, out: Tensor, x: Tensor, w: Tensor, o: LinearRowsOptions = {}): void {
  if (out.shape[0] <= LINEAR_ROWS_MAX_M) linearRows(gpu, out, x, w, o);
  else matmul(gpu, out, x, w, { bias: o.bias, transB: o.transW });
}

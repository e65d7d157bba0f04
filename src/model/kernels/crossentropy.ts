// Softmax cross-entropy fused with its gradient (one dispatch: one subgroup per row where the device has
// subgroups, else one workgroup per row), and the weighted mean loss reduced on the device.
import source from '../../shaders/crossentropy.wgsl?raw';
import { f32, GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { checkDims, checkDistinct, checkTensor, grid } from './checks.ts';
import { cheapBarriers, kernelVariants, rowsPerWorkgroup, subgroupSizeHint, sum, useSubgroups } from './reduce.ts';

const code = kernelVariants(source);
/** Workgroup size of the one-row-per-subgroup variant. */
const SG_WG = 64;
/**
 * Longest row (in logits per lane) given to a single subgroup on a GPU: longer rows are latency-bound in
 * one subgroup (on an H200, V = 8192 took 0.85 ms per 3072 rows one subgroup per row against 0.48 ms one
 * 256-invocation workgroup per row), so they get a workgroup each there. CPU adapters keep one subgroup
 * per row at any V: a barrier costs them far more.
 */
const MAX_PER_LANE = 64;

/** One subgroup per row: where the device has subgroups, unless rows are long and barriers cheap. */
function subgroupPerRow(gpu: Gpu, V: number): boolean {
  return useSubgroups(gpu) && (V <= MAX_PER_LANE * subgroupSizeHint(gpu) || !cheapBarriers(gpu));
}

export interface CrossEntropyOptions {
  N: number;
  V: number;
  /**
   * Σ weights, from the host (which built the weights / SFT mask). dlogits are scaled by 1/weightSum, so
   * they are the gradient of the weighted mean loss; 0 means every weight is 0 (all gradients 0).
   */
  weightSum: number;
}

function workgroupSize(V: number): number {
  return V >= 512 ? 256 : V >= 256 ? 128 : 64;
}

/**
 * For each row i of logits [N, V] with target t = targets[i] (u32 or i32 [N]) and weight w = weights[i] (f32 [N]):
 *   losses[i]     = −log softmax(logits[i])[t]                      (0 when w = 0)
 *   dlogits[i, :] = w / weightSum · (softmax(logits[i]) − onehot(t))  (all 0 when w = 0)
 * losses [N] and dlogits [N, V] are overwritten. Pass dlogits === logits to overwrite the logits with
 * their gradient in place. A target outside [0, V) with a nonzero weight gives a NaN loss.
 */
export function crossEntropy(
  gpu: Gpu,
  losses: Tensor,
  dlogits: Tensor,
  logits: Tensor,
  targets: Tensor,
  weights: Tensor,
  opts: CrossEntropyOptions,
): void {
  const op = 'crossEntropy';
  const { N, V, weightSum } = opts;
  checkDims(op, { N, V });
  checkTensor(op, 'logits', logits, N * V, `[N=${N}, V=${V}]`);
  checkTensor(op, 'dlogits', dlogits, N * V, `[N=${N}, V=${V}]`);
  checkTensor(op, 'targets', targets, N, `[N=${N}]`, ['u32', 'i32']);
  checkTensor(op, 'weights', weights, N, `[N=${N}]`);
  checkTensor(op, 'losses', losses, N, `[N=${N}]`);
  if (!Number.isFinite(weightSum) || weightSum < 0) throw new GpuError('shape', `${op}: weightSum must be finite and ≥ 0, got ${weightSum}`);
  const inPlace = dlogits.buffer === logits.buffer;
  checkDistinct(op, inPlace ? { losses, logits, targets, weights } : { losses, dlogits, logits, targets, weights });
  const params = [N, V, f32(weightSum > 0 ? 1 / weightSum : 0), f32(NaN)];
  const name = inPlace ? 'crossentropy_inplace' : 'crossentropy';
  const entry = inPlace ? 'main_inplace' : 'main';
  const RPW = rowsPerWorkgroup(gpu, SG_WG);
  const { kernel, workgroups } = subgroupPerRow(gpu, V)
    ? { kernel: { name: `${name}_sg`, code: code.subgroups, entry: `${entry}_sg`, constants: { WG: SG_WG, RPW } }, workgroups: grid(gpu, Math.ceil(N / RPW)) }
    : { kernel: { name, code: code.plain, entry, constants: { WG: workgroupSize(V) } }, workgroups: grid(gpu, N) };
  gpu.run({
    kernel,
    workgroups,
    params,
    buffers: inPlace ? [logits, targets, weights, losses] : [logits, targets, weights, losses, dlogits],
  });
}

/**
 * out[0] = Σ weights[i]·losses[i] / weightSum (0 when weightSum = 0): the weighted mean loss, reduced
 * deterministically on the device so only 4 bytes need reading back. out is f32 [1].
 */
export function meanLoss(gpu: Gpu, out: Tensor, losses: Tensor, weights: Tensor, opts: { N: number; weightSum: number }): void {
  const op = 'meanLoss';
  checkDims(op, { N: opts.N });
  checkTensor(op, 'losses', losses, opts.N, `[N=${opts.N}]`);
  checkTensor(op, 'weights', weights, opts.N, `[N=${opts.N}]`);
  checkTensor(op, 'out', out, 1, '[1]');
  sum(gpu, out, losses, { weights, scale: opts.weightSum > 0 ? 1 / opts.weightSum : 0 });
}

// Deterministic reductions to a scalar on the device: sums, sums of squares, and the multi-tensor global
// gradient norm with its clip scale (which adamw reads from the buffer: no host round-trip).
import source from '../../shaders/reduce.wgsl?raw';
import { f32, GpuError, type Gpu, type KernelSpec, type Tensor } from '../gpu/runtime.ts';
import { checkDistinct, checkTensor, grid } from './checks.ts';

// ---- subgroup variants, shared by the row-wise kernel families (layernorm, crossentropy, reduce) --------

/**
 * The line in a family's WGSL after which its entry points use subgroup built-ins. Everything above it
 * compiles on any device; the whole file compiles only with `enable subgroups;` in front.
 */
const SUBGROUP_MARKER = '// ==== subgroup entry points';
// First the feature, then the uniformity rule: the row loops branch on a subgroupBroadcastFirst result,
// which is uniform across the subgroup but not (as the analysis would need) across the workgroup.
const SUBGROUP_PRELUDE = 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);\n';

/** A family's WGSL in its two variants: `plain` (workgroup-memory reductions only) and `subgroups`. */
export function kernelVariants(code: string): { plain: string; subgroups: string } {
  const at = code.indexOf(SUBGROUP_MARKER);
  return { plain: at < 0 ? code : code.slice(0, at), subgroups: SUBGROUP_PRELUDE + code };
}

const subgroupsOff = new WeakSet<Gpu>();

/**
 * Whether the row-wise and reduction kernels dispatch their subgroup variants on this device: when it has
 * the `subgroups` feature, unless `setSubgroupKernels(gpu, false)` turned them off (tests of the fallback,
 * benchmarks). The choice changes summation order, so results may differ in the last bits between the two.
 */
export function useSubgroups(gpu: Gpu): boolean {
  return !subgroupsOff.has(gpu) && gpu.hasFeature('subgroups');
}

/** Turns the subgroup variants off (false) or back on (true) for one device. */
export function setSubgroupKernels(gpu: Gpu, enabled: boolean): void {
  if (enabled) subgroupsOff.delete(gpu);
  else subgroupsOff.add(gpu);
}

/**
 * False on CPU implementations of WebGPU (SwiftShader, the one Chrome and Dawn fall back to without a GPU;
 * Mesa's llvmpipe/lavapipe; Microsoft's WARP): they run a workgroup's subgroups as coroutines, so a kernel
 * with any workgroupBarrier costs ~30 µs per 64-invocation workgroup more than one without. On GPUs a
 * barrier is a few cycles, and a whole workgroup per long row beats one subgroup per row.
 */
export function cheapBarriers(gpu: Gpu): boolean {
  const info = (gpu.device as unknown as { adapterInfo?: { isFallbackAdapter?: boolean } }).adapterInfo;
  if (info?.isFallbackAdapter === true) return false;
  const { vendor, architecture, description } = gpu.adapterInfo;
  return !/swiftshader|llvmpipe|lavapipe|\bwarp\b|basic render/i.test(`${vendor} ${architecture} ${description}`);
}

/** The adapter's largest subgroup size when the browser reports it (GPUDevice.adapterInfo), else 32. */
export function subgroupSizeHint(gpu: Gpu): number {
  const info = (gpu.device as unknown as { adapterInfo?: { subgroupMaxSize?: number } }).adapterInfo;
  const max = info?.subgroupMaxSize;
  return typeof max === 'number' && max >= 1 ? Math.min(128, max) : 32;
}

/**
 * Rows each workgroup of a one-row-per-subgroup kernel owns: about one per subgroup, from the adapter's
 * largest subgroup size when the browser reports it (GPUDevice.adapterInfo), else 32. Only the load
 * balance depends on it: the kernels hand rows to whichever subgroups exist.
 */
export function rowsPerWorkgroup(gpu: Gpu, workgroupSize: number): number {
  return Math.max(1, Math.floor(workgroupSize / subgroupSizeHint(gpu)));
}

const MAX_GROUPS = 256;
/** Workgroups a tensor of n elements is reduced with: ≥ 1024 elements per workgroup, at most 256. */
const groupsFor = (n: number) => Math.max(1, Math.min(MAX_GROUPS, Math.ceil(n / 1024)));

const code = kernelVariants(source);

// The subgroup variant (reduce.wgsl, below the marker) reduces chunks of ≥ 1024 elements, one subgroup
// each, up to 4096 chunks per tensor, in workgroups of 64 invocations: no barriers.
const SG_WG = 64;
const MAX_CHUNKS = 4096;

type Entry = 'sumsq_partial' | 'sum_partial' | 'wsum_partial' | 'finish_sum' | 'finish_clip';

/**
 * How one tensor of n elements is reduced to partial sums: the dispatch for `entry` writing `slots`
 * partials from `offset` on (params and grid), for the device's variant.
 */
function partialDispatch(gpu: Gpu, entry: Entry, n: number, offset: number): { kernel: KernelSpec; workgroups: [number, number?]; params: number[]; slots: number } {
  if (useSubgroups(gpu)) {
    const chunks = Math.max(1, Math.min(MAX_CHUNKS, Math.ceil(n / 1024)));
    const chunk = Math.max(1, Math.ceil(n / chunks));
    const RPW = rowsPerWorkgroup(gpu, SG_WG);
    return {
      kernel: { name: `reduce_${entry}_sg`, code: code.subgroups, entry: `${entry}_sg`, constants: { WG_SG: SG_WG, RPW } },
      workgroups: grid(gpu, Math.ceil(chunks / RPW)),
      params: [n, offset, chunk, chunks],
      slots: chunks,
    };
  }
  const groups = groupsFor(n);
  return { kernel: { name: `reduce_${entry}`, code: code.plain, entry }, workgroups: [groups], params: [n, offset], slots: groups };
}

function finishKernel(gpu: Gpu, entry: Entry): KernelSpec {
  return useSubgroups(gpu)
    ? { name: `reduce_${entry}_sg`, code: code.subgroups, entry: `${entry}_sg`, constants: { WG_SG: SG_WG } }
    : { name: `reduce_${entry}`, code: code.plain, entry };
}

/** Σ g² of each tensor into its own slot range of one partials buffer (one dispatch per tensor). */
function sumSquaresPartials(gpu: Gpu, op: string, tensors: Tensor[]): { partials: Tensor; count: number } {
  const dispatches = tensors.map((t) => partialDispatch(gpu, 'sumsq_partial', t.numel, 0));
  const count = dispatches.reduce((a, d) => a + d.slots, 0);
  const partials = gpu.tensor([count], `${op} partials`);
  let offset = 0;
  tensors.forEach((t, i) => {
    const d = dispatches[i];
    d.params[1] = offset;
    gpu.run({ kernel: d.kernel, workgroups: d.workgroups, params: d.params, buffers: [t, partials] });
    offset += d.slots;
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
  const d = partialDispatch(gpu, opts.weights ? 'wsum_partial' : 'sum_partial', x.numel, 0);
  const partials = gpu.tensor([d.slots], 'sum partials');
  gpu.run({ kernel: d.kernel, workgroups: d.workgroups, params: d.params, buffers: opts.weights ? [x, opts.weights, partials] : [x, partials] });
  gpu.run({ kernel: finishKernel(gpu, 'finish_sum'), workgroups: [1], params: [d.slots, f32(opts.scale ?? 1)], buffers: [partials, out] });
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
  gpu.run({ kernel: finishKernel(gpu, 'finish_sum'), workgroups: [1], params: [count, f32(1)], buffers: [partials, out] });
  partials.release();
}

/**
 * The global gradient norm and its clip factor, computed on the device:
 *   out[0] = min(1, maxNorm / (‖g‖ + 1e-6))   (1 when maxNorm ≤ 0 or not finite: clipping off)
 *   out[1] = ‖g‖ = √(Σ over all tensors of Σ g²)
 * out is f32 [2] (overwritten); pass it to adamw as `gradScaleBuffer` (it reads element 0).
 * One partial-sum dispatch per tensor plus one finishing dispatch; deterministic.
 */
export function globalNormClip(gpu: Gpu, out: Tensor, grads: Tensor[], maxNorm: number): void {
  const op = 'globalNormClip';
  checkGrads(op, out, 2, grads);
  const { partials, count } = sumSquaresPartials(gpu, op, grads);
  const a = Number.isFinite(maxNorm) && maxNorm > 0 ? maxNorm : 0;
  gpu.run({ kernel: finishKernel(gpu, 'finish_clip'), workgroups: [1], params: [count, f32(a)], buffers: [partials, out] });
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

// Causal multi-head self-attention, forward and backward, flash-attention style (see attention.wgsl):
// the forward keeps only the per-row logsumexp (`stats`, [B, NH, T]) and the backward recomputes the
// probabilities from it, so no [B, NH, T, T] tensor is ever allocated.
//
//   forward   1 dispatch : attn_fwd      (scores → causal mask → online softmax → P·V, tiled over keys)
//   backward  2 dispatches: attn_bwd_dq  (D = rowsum(dO∘O), dq; one workgroup per query block)
//                           attn_bwd_dkv (dk, dv; one workgroup per key block, reads D)
import code from '../../shaders/attention.wgsl?raw';
import { f32, GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';
import { Rng } from '../reference/random.ts';
import { checkDims, checkDistinct, checkTensor } from './checks.ts';

export interface AttentionDims {
  B: number;
  T: number;
  C: number;
  NH: number;
}

export interface AttentionOptions {
  /** Rows per block (and threads per row); default: the largest of 16, 8, 4 the device fits. */
  tile?: number;
}

type FusedKernel = 'attn_fwd' | 'attn_bwd_dq' | 'attn_bwd_dkv';

/** Shape of the forward's `stats` (per-row logsumexp of the scaled, masked scores). */
export function attentionStatsShape({ B, T, NH }: AttentionDims): [number, number, number] {
  return [B, NH, T];
}

// Must match the private accumulator arrays (MAXD) in attention.wgsl.
const MAXD = 32;
const TILES = [16, 8, 4];

/** Workgroup memory one fused kernel needs, in bytes (the shared tiles declared in attention.wgsl). */
export function attentionSharedBytes(kernel: FusedKernel, hs: number, tile: number): number {
  const rows = tile * (hs + 1); // one [tile][hs + 1] tile
  const sq = tile * tile;
  const floats = kernel === 'attn_fwd' ? 3 * rows + 2 * sq : kernel === 'attn_bwd_dq' ? 4 * rows + sq : 4 * rows + 2 * sq;
  return floats * 4;
}

function fits(gpu: Gpu, kernel: FusedKernel, hs: number, tile: number): boolean {
  return (
    attentionSharedBytes(kernel, hs, tile) <= gpu.limits.maxComputeWorkgroupStorageSize &&
    tile * tile <= gpu.limits.maxComputeInvocationsPerWorkgroup &&
    tile <= gpu.limits.maxComputeWorkgroupSizeX &&
    tile <= gpu.limits.maxComputeWorkgroupSizeY &&
    Math.ceil(hs / tile) <= MAXD
  );
}

/** The tile a fused kernel runs with on this device for head size hs. */
export function attentionTile(gpu: Gpu, kernel: FusedKernel, hs: number, opts: AttentionOptions = {}): number {
  if (opts.tile !== undefined) {
    if (!fits(gpu, kernel, hs, opts.tile)) {
      throw new GpuError('shape', `${kernel}: tile ${opts.tile} does not fit head size ${hs} on this device`);
    }
    return opts.tile;
  }
  const tile = TILES.find((t) => fits(gpu, kernel, hs, t));
  if (tile === undefined) {
    throw new GpuError(
      'shape',
      `${kernel}: head size ${hs} needs more than this device's ${gpu.limits.maxComputeWorkgroupStorageSize} bytes of workgroup memory`,
    );
  }
  return tile;
}

function checkAttention(op: string, dims: AttentionDims): number {
  const { B, T, C, NH } = dims;
  checkDims(op, { B, T, C, NH });
  const hs = C / NH;
  if (!Number.isInteger(hs)) throw new GpuError('shape', `${op}: C=${C} is not a multiple of NH=${NH}`);
  const max = 65535;
  if (B > max || NH > max) throw new GpuError('shape', `${op}: B=${B} and NH=${NH} must be ≤ ${max}`);
  return hs;
}

function fused(gpu: Gpu, entry: FusedKernel, hs: number, opts: AttentionOptions) {
  const tile = attentionTile(gpu, entry, hs, opts);
  return { tile, kernel: { name: entry, code, entry, constants: { HS: hs, TILE: tile } } };
}

/**
 * out [B,T,C] = causal softmax(q·kᵀ/√hs)·v per head, from qkv [B,T,3C]; stats [B,NH,T] receives the
 * per-row logsumexp that attentionBackward needs. Writes every element of out and stats.
 */
export function attentionForward(gpu: Gpu, out: Tensor, stats: Tensor, qkv: Tensor, dims: AttentionDims, opts: AttentionOptions = {}): void {
  const op = 'attentionForward';
  const hs = checkAttention(op, dims);
  const { B, T, C, NH } = dims;
  checkTensor(op, 'qkv', qkv, B * T * 3 * C, `[B=${B}, T=${T}, 3C=${3 * C}]`);
  checkTensor(op, 'out', out, B * T * C, `[B=${B}, T=${T}, C=${C}]`);
  checkTensor(op, 'stats', stats, B * NH * T, `[B=${B}, NH=${NH}, T=${T}]`);
  checkDistinct(op, { out, stats, qkv });
  const { tile, kernel } = fused(gpu, 'attn_fwd', hs, opts);
  gpu.run({
    kernel,
    workgroups: [Math.ceil(T / tile), NH, B],
    params: [T, C, NH, f32(1 / Math.sqrt(hs)), B],
    buffers: [qkv, out, stats],
  });
}

/**
 * dqkv [B,T,3C] (every element written: dq, dk, dv of every head) from dout [B,T,C] and the forward's
 * qkv, out and stats. Uses a pooled [B,NH,T] scratch for D = rowsum(dout∘out).
 */
export function attentionBackward(
  gpu: Gpu,
  dqkv: Tensor,
  dout: Tensor,
  qkv: Tensor,
  out: Tensor,
  stats: Tensor,
  dims: AttentionDims,
  opts: AttentionOptions = {},
): void {
  const op = 'attentionBackward';
  const hs = checkAttention(op, dims);
  const { B, T, C, NH } = dims;
  checkTensor(op, 'qkv', qkv, B * T * 3 * C, `[B=${B}, T=${T}, 3C=${3 * C}]`);
  checkTensor(op, 'dqkv', dqkv, B * T * 3 * C, `[B=${B}, T=${T}, 3C=${3 * C}]`);
  checkTensor(op, 'out', out, B * T * C, `[B=${B}, T=${T}, C=${C}]`);
  checkTensor(op, 'dout', dout, B * T * C, `[B=${B}, T=${T}, C=${C}]`);
  checkTensor(op, 'stats', stats, B * NH * T, `[B=${B}, NH=${NH}, T=${T}]`);
  checkDistinct(op, { dqkv, dout, qkv, out, stats });
  const dq = fused(gpu, 'attn_bwd_dq', hs, opts);
  const dkv = fused(gpu, 'attn_bwd_dkv', hs, opts);
  const params = [T, C, NH, f32(1 / Math.sqrt(hs)), B];
  const dbuf = gpu.tensor([B, NH, T], 'attn D');
  gpu.run({ kernel: dq.kernel, workgroups: [Math.ceil(T / dq.tile), NH, B], params, buffers: [qkv, out, dout, stats, dqkv, dbuf] });
  gpu.run({ kernel: dkv.kernel, workgroups: [Math.ceil(T / dkv.tile), NH, B], params, buffers: [qkv, dout, stats, dbuf, dqkv] });
  dbuf.release(); // queue order: the dispatches above run before any later reuse
}

/**
 * The unfused baseline forward (benchmark only): att [B,NH,T,T] = scores, then causal softmax in place,
 * then out = att·v — three dispatches and T² memory per head, like llm.c. `att` ends up holding the
 * probabilities (0 above the diagonal).
 */
export function attentionForwardUnfused(gpu: Gpu, out: Tensor, att: Tensor, qkv: Tensor, dims: AttentionDims): void {
  const op = 'attentionForwardUnfused';
  const hs = checkAttention(op, dims);
  const { B, T, C, NH } = dims;
  checkTensor(op, 'qkv', qkv, B * T * 3 * C, `[B=${B}, T=${T}, 3C=${3 * C}]`);
  checkTensor(op, 'out', out, B * T * C, `[B=${B}, T=${T}, C=${C}]`);
  checkTensor(op, 'att', att, B * NH * T * T, `[B=${B}, NH=${NH}, T=${T}, T=${T}]`);
  checkDistinct(op, { out, att, qkv });
  const rows = B * NH * T;
  const gy = Math.ceil(rows / 65535);
  const params = [T, C, NH, f32(1 / Math.sqrt(hs)), B];
  const k = (entry: string) => ({ name: entry, code, entry, constants: { HS: hs } });
  if (B * NH > 65535 || T > 65535) throw new GpuError('shape', `${op}: B·NH=${B * NH} and T=${T} must be ≤ 65535`);
  gpu.run({ kernel: k('unf_scores'), workgroups: [Math.ceil(T / 16), Math.ceil(T / 16), B * NH], params, buffers: [qkv, att] });
  gpu.run({ kernel: { name: 'unf_softmax', code, entry: 'unf_softmax' }, workgroups: [Math.ceil(rows / gy), gy], params: [...params, Math.ceil(rows / gy)], buffers: [att] });
  gpu.run({ kernel: k('unf_pv'), workgroups: [Math.ceil(C / 64), T, B], params, buffers: [qkv, att, out] });
}

export interface AttentionBenchCase {
  /** Queues one forward (+ backward unless forwardOnly) on fixed random inputs; the caller syncs. */
  run(): void;
  /** Returns the case's tensors to the pool. */
  release(): void;
  /** Algorithmic FLOPs per run(): 4·hs per causal (query, key) pair forward, 8·hs backward. */
  flops: number;
  /** Dispatches per run(). */
  dispatches: number;
}

/**
 * A benchmark case for the bench script: `fused` (default) times attentionForward + attentionBackward,
 * `fused-forward` the fused forward alone, `unfused-forward` the three-kernel baseline forward.
 */
export function attentionBenchCase(
  gpu: Gpu,
  dims: AttentionDims,
  variant: 'fused' | 'fused-forward' | 'unfused-forward' = 'fused',
  opts: AttentionOptions = {},
): AttentionBenchCase {
  const { B, T, C, NH } = dims;
  const hs = checkAttention('attentionBenchCase', dims);
  const rng = new Rng(1234);
  const qkv = gpu.tensor([B, T, 3 * C], 'bench qkv', rng.normals(B * T * 3 * C));
  const out = gpu.tensor([B, T, C], 'bench attn out');
  const tensors = [qkv, out];
  const pairs = (B * NH * T * (T + 1)) / 2;
  if (variant === 'unfused-forward') {
    const att = gpu.tensor([B, NH, T, T], 'bench att');
    tensors.push(att);
    return {
      run: () => attentionForwardUnfused(gpu, out, att, qkv, dims),
      release: () => tensors.forEach((t) => t.release()),
      flops: 4 * hs * pairs,
      dispatches: 3,
    };
  }
  const stats = gpu.tensor(attentionStatsShape(dims), 'bench attn stats');
  const dout = gpu.tensor([B, T, C], 'bench attn dout', rng.normals(B * T * C));
  const dqkv = gpu.tensor([B, T, 3 * C], 'bench dqkv');
  tensors.push(stats, dout, dqkv);
  const backward = variant === 'fused';
  return {
    run: () => {
      attentionForward(gpu, out, stats, qkv, dims, opts);
      if (backward) attentionBackward(gpu, dqkv, dout, qkv, out, stats, dims, opts);
    },
    release: () => tensors.forEach((t) => t.release()),
    flops: (backward ? 12 : 4) * hs * pairs,
    dispatches: backward ? 3 : 1,
  };
}

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
  /** Rows per block and threads per row (workgroup TILE×TILE); default: see attentionConfig. */
  tile?: number;
  /** Rows of the looped-over tile per thread (tile width BK = tile·kpt); default: see attentionConfig. */
  kpt?: number;
}

export type AttentionKernel = 'attn_fwd' | 'attn_bwd_dq' | 'attn_bwd_dkv';

/** Shape of the forward's `stats` (per-row logsumexp of the scaled, masked scores). */
export function attentionStatsShape({ B, T, NH }: AttentionDims): [number, number, number] {
  return [B, NH, T];
}

// Host limits on the per-thread arrays: at most MAXD vec4 accumulator chunks (ND) and MAXK scores (KPT) per
// thread. attention.wgsl declares both as 8; sizedCode() rewrites them to the exact ND and KPT.
const MAXD = 8;
const MAXK = 8;

/**
 * Preferred (tile, kpt) per device kind, best first; the first that fits the device's limits wins.
 * GPUs: 256-thread workgroups, 2 scores per thread (not measured on a GPU yet). Software adapters
 * (SwiftShader) run big workgroups slower: fused forward B4 T256 C256 NH4, tile 16 took 2.8× the CPU time of
 * tile 4 (1.4× with Dawn's Vulkan workgroup zero-init extension off), so there 16 threads.
 */
const GPU_CONFIGS: [number, number][] = [[16, 2], [16, 1], [8, 2], [8, 1], [4, 2], [4, 1]];
const CPU_CONFIGS: [number, number][] = [[4, 2], [4, 1]];

/** True for software adapters (SwiftShader, llvmpipe, WARP), which want small workgroups. */
export function isCpuAdapter(gpu: Gpu): boolean {
  const i = gpu.adapterInfo;
  return /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`);
}

/** Workgroup memory one fused kernel needs, in bytes (the shared tiles declared in attention.wgsl). */
export function attentionSharedBytes(kernel: AttentionKernel, hs: number, tile: number, kpt: number): number {
  const rows = (n: number) => n * (Math.ceil(hs / 4) + 1) * 16; // n rows of HS4 + 1 vec4s
  const bk = tile * kpt;
  const score = tile * bk * 4;
  if (kernel === 'attn_fwd') return rows(tile) + rows(2 * bk) + score;
  if (kernel === 'attn_bwd_dq') return rows(2 * tile) + rows(2 * bk) + score;
  return rows(2 * tile) + rows(2 * bk) + 2 * score;
}

function fits(gpu: Gpu, kernel: AttentionKernel, hs: number, tile: number, kpt: number): boolean {
  const l = gpu.limits;
  return (
    Number.isInteger(tile) && tile >= 1 && Number.isInteger(kpt) && kpt >= 1 && kpt <= MAXK &&
    attentionSharedBytes(kernel, hs, tile, kpt) <= l.maxComputeWorkgroupStorageSize &&
    tile * tile <= l.maxComputeInvocationsPerWorkgroup &&
    tile <= l.maxComputeWorkgroupSizeX &&
    tile <= l.maxComputeWorkgroupSizeY &&
    Math.ceil(Math.ceil(hs / 4) / tile) <= MAXD
  );
}

/** The (tile, kpt) a fused kernel runs with on this device for head size hs. */
export function attentionConfig(gpu: Gpu, kernel: AttentionKernel, hs: number, opts: AttentionOptions = {}): { tile: number; kpt: number } {
  const configs = (isCpuAdapter(gpu) ? CPU_CONFIGS : GPU_CONFIGS).filter(
    ([t, k]) => (opts.tile === undefined || t === opts.tile) && (opts.kpt === undefined || k === opts.kpt),
  );
  if (opts.tile !== undefined && !configs.length) configs.push([opts.tile, opts.kpt ?? 1]);
  const found = configs.find(([t, k]) => fits(gpu, kernel, hs, t, k));
  if (!found) {
    throw new GpuError(
      'shape',
      `${kernel}: head size ${hs} fits no tile${opts.tile !== undefined ? ` (asked for tile ${opts.tile}, kpt ${opts.kpt ?? 1})` : ''} on this device: ` +
        `${gpu.limits.maxComputeWorkgroupStorageSize} bytes of workgroup memory, ${4 * MAXD} head dims per thread`,
    );
  }
  return { tile: found[0], kpt: found[1] };
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

/** Params of the fused kernels: T, C, NH, scale, B. */
function fusedParams({ B, T, C, NH }: AttentionDims, hs: number) {
  return [T, C, NH, f32(1 / Math.sqrt(hs)), B];
}

const sized = new Map<string, string>();

/** attention.wgsl with its private-array sizes MAXD, MAXK set to exactly what (nd, kpt) need. */
function sizedCode(nd: number, kpt: number): string {
  const key = `${nd},${kpt}`;
  let c = sized.get(key);
  if (!c) {
    c = code.replace(/^const MAXD: u32 = \d+u;$/m, `const MAXD: u32 = ${nd}u;`).replace(/^const MAXK: u32 = \d+u;$/m, `const MAXK: u32 = ${kpt}u;`);
    if (c === code && (nd !== MAXD || kpt !== MAXK)) throw new Error('attention.wgsl: MAXD/MAXK declarations not found');
    sized.set(key, c);
  }
  return c;
}

function fused(gpu: Gpu, entry: AttentionKernel, hs: number, opts: AttentionOptions) {
  const { tile, kpt } = attentionConfig(gpu, entry, hs, opts);
  const nd = Math.ceil(Math.ceil(hs / 4) / tile);
  const constants = { HS: hs, TILE: tile, KPT: kpt };
  return { tile, kpt, kernel: { name: entry, code: sizedCode(nd, kpt), entry, constants } };
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
  const { tile, kpt, kernel } = fused(gpu, 'attn_fwd', hs, opts);
  gpu.run({
    kernel,
    workgroups: [Math.ceil(T / tile), NH, B],
    params: fusedParams(dims, hs),
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
  const dbuf = gpu.tensor([B, NH, T], 'attn D');
  gpu.run({
    kernel: dq.kernel,
    workgroups: [Math.ceil(T / dq.tile), NH, B],
    params: fusedParams(dims, hs),
    buffers: [qkv, out, dout, stats, dqkv, dbuf],
  });
  gpu.run({
    kernel: dkv.kernel,
    workgroups: [Math.ceil(T / dkv.tile), NH, B],
    params: fusedParams(dims, hs),
    buffers: [qkv, dout, stats, dbuf, dqkv],
  });
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
  /** Queues one forward (+ backward for 'fused') on fixed random inputs; the caller syncs. */
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

// Matrix multiply (src/shaders/matmul.wgsl). Every linear layer of the model goes through it:
//   forward        y = x·W (+ b)            matmul(gpu, y, x, W, { bias: b })                     NN
//   backward dX    dX = dY·Wᵀ               matmul(gpu, dx, dy, W, { transB: true })              NT
//   backward dW    dW (+)= Xᵀ·dY            matmul(gpu, dw, x, dy, { transA: true, accumulate })  TN
//   LM head        logits = h·wteᵀ          matmul(gpu, logits, h, wte, { transB: true })         NT
// (the bias gradient, column sums of dY, is biasGrad in bias-grad.ts)
import code from '../../shaders/matmul.wgsl?raw';
import { GpuError, type Gpu, type Tensor } from '../gpu/runtime.ts';

export interface MatmulOptions {
  /** A is stored [K, M] (or [batch, K, M]) and used transposed. */
  transA?: boolean;
  /** B is stored [N, K] (or [batch, N, K]) and used transposed. */
  transB?: boolean;
  /** [N], added to every output row. */
  bias?: Tensor;
  /** out += op(A)·op(B) (+ bias) instead of out = …; out must hold valid numbers. */
  accumulate?: boolean;
  /**
   * Number of contiguous batch items; defaults to out's leading dimension when out is 3-D. A (or B) may
   * be 2-D with batch > 1, in which case the same matrix is used for every batch item.
   */
  batch?: number;
}

/** Tile configuration: the pipeline-overridable constants of matmul.wgsl plus the grid size. */
export interface MatmulTiles {
  /** Threads along N; each owns 8 columns. */
  WGX: number;
  /** Threads along M; each owns 16 rows. */
  WGY: number;
  /** K depth of the tiles staged in workgroup memory. */
  BK: number;
  /**
   * Most workgroups to launch; each then loops over several output tiles. 0 = one workgroup per tile (the
   * right choice on a GPU). On a CPU adapter a few workgroups per core pay the per-workgroup costs
   * (zeroing workgroup memory, starting coroutines) once for many tiles.
   */
  maxWorkgroups: number;
}

/** Register block of one thread (fixed in the WGSL: 16 rows × 8 columns, unrolled by hand). */
export const MATMUL_TM = 16;
export const MATMUL_TN = 8;

/** GPU tiles: 128×64 outputs per workgroup of 8×8 threads, K staged 16 at a time, one workgroup per tile. */
export const DEFAULT_TILES: MatmulTiles = { WGX: 8, WGY: 8, BK: 16, maxWorkgroups: 0 };

/** True for software adapters (SwiftShader, llvmpipe/lavapipe, WARP), which run workgroups on CPU cores. */
export function isCpuAdapter(gpu: Gpu): boolean {
  const i = gpu.adapterInfo;
  return /swiftshader|llvmpipe|lavapipe|warp|software|cpu/i.test(`${i.vendor} ${i.architecture} ${i.description} ${i.device}`);
}

/** Tiles for an adapter: DEFAULT_TILES on GPUs; on CPU adapters about four workgroups per core. */
export function tilesFor(gpu: Gpu): MatmulTiles {
  if (!isCpuAdapter(gpu)) return { ...DEFAULT_TILES };
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 4;
  return { ...DEFAULT_TILES, maxWorkgroups: Math.max(8, 4 * cores) };
}

const overrides = new WeakMap<Gpu, MatmulTiles>();

/** Overrides the tile configuration for one device (benchmarks and tuning); tilesFor(gpu) otherwise. */
export function setMatmulTiles(gpu: Gpu, t: Partial<MatmulTiles>): void {
  overrides.set(gpu, { ...getMatmulTiles(gpu), ...t });
}

export function getMatmulTiles(gpu: Gpu): MatmulTiles {
  return { ...(overrides.get(gpu) ?? tilesFor(gpu)) };
}

const shapeStr = (t: Tensor) => `${t.label}[${t.shape.join(', ')}]`;

interface MatmulShape {
  M: number;
  N: number;
  K: number;
  batch: number;
  strideA: number;
  strideB: number;
}

/** Works out M, N, K and the batch layout, or throws a GpuError('shape') naming every operand. */
function matmulShape(name: string, out: Tensor, a: Tensor, b: Tensor, o: MatmulOptions): MatmulShape {
  const describe = () =>
    `${name}: out ${shapeStr(out)}, a ${shapeStr(a)}${o.transA ? 'ᵀ' : ''}, b ${shapeStr(b)}${o.transB ? 'ᵀ' : ''}` +
    (o.bias ? `, bias ${shapeStr(o.bias)}` : '') +
    (o.batch !== undefined ? `, batch ${o.batch}` : '');
  const fail = (why: string): never => {
    throw new GpuError('shape', `${describe()}: ${why}`);
  };
  for (const t of [out, a, b, ...(o.bias ? [o.bias] : [])]) {
    if (t.dtype !== 'f32') fail(`${t.label} is ${t.dtype}, expected f32`);
  }
  if (out.shape.length !== 2 && out.shape.length !== 3) fail('out must be [M, N] or [batch, M, N]');
  const batch = o.batch ?? (out.shape.length === 3 ? out.shape[0] : 1);
  if (!Number.isInteger(batch) || batch < 1) fail('batch must be a positive integer');
  const outRows = out.shape.length === 3 ? out.shape[1] : out.shape[0];
  const N = out.shape[out.shape.length - 1];
  if (out.shape.length === 3 && out.shape[0] !== batch) fail(`out's leading dimension is not the batch (${batch})`);
  if (out.shape.length === 2 && batch !== 1) fail('a batched matmul needs out as [batch, M, N]');
  const M = outRows;

  const matrix = (t: Tensor, what: string): { rows: number; cols: number; stride: number } => {
    if (t.shape.length === 2) return { rows: t.shape[0], cols: t.shape[1], stride: 0 };
    if (t.shape.length === 3) {
      if (t.shape[0] !== batch) fail(`${what} ${shapeStr(t)}: leading dimension ${t.shape[0]} is not the batch (${batch})`);
      return { rows: t.shape[1], cols: t.shape[2], stride: t.shape[1] * t.shape[2] };
    }
    return fail(`${what} ${shapeStr(t)} must be 2-D or 3-D`);
  };
  const A = matrix(a, 'a');
  const B = matrix(b, 'b');
  const [aM, aK] = o.transA ? [A.cols, A.rows] : [A.rows, A.cols];
  const [bK, bN] = o.transB ? [B.cols, B.rows] : [B.rows, B.cols];
  if (aM !== M) fail(`op(a) has ${aM} rows, out has ${M}`);
  if (bN !== N) fail(`op(b) has ${bN} columns, out has ${N}`);
  if (aK !== bK) fail(`inner dimensions differ: op(a) is ${aM}×${aK}, op(b) is ${bK}×${bN}`);
  if (o.bias && (o.bias.shape.length !== 1 || o.bias.shape[0] !== N)) fail(`bias must be [${N}]`);
  if ([a, b, o.bias].some((t) => t && t.buffer === out.buffer)) fail('out must not alias an input');
  return { M, N, K: aK, batch, strideA: A.stride, strideB: B.stride };
}

/** The shapes matmul would use; throws GpuError('shape') like matmul does. Exposed for tests/benchmarks. */
export function matmulDims(out: Tensor, a: Tensor, b: Tensor, o: MatmulOptions = {}): MatmulShape {
  return matmulShape('matmul', out, a, b, o);
}

function kernelName(o: MatmulOptions): string {
  return `matmul_${o.transA ? 't' : 'n'}${o.transB ? 't' : 'n'}${o.bias ? '_bias' : ''}${o.accumulate ? '_acc' : ''}`;
}

const dummies = new WeakMap<Gpu, Tensor>();

/** A 4-float buffer bound where an optional input is absent (the kernel never reads it then). */
function dummy(gpu: Gpu): Tensor {
  let t = dummies.get(gpu);
  if (!t) {
    t = gpu.tensor([4], 'matmul_unused', [0, 0, 0, 0]);
    dummies.set(gpu, t);
  }
  return t;
}

/**
 * out[batch, M, N] = op(A)·op(B) (+ bias over rows) (+ out when accumulate). M, N and K come from the
 * shapes (see MatmulOptions); a mismatch throws GpuError('shape') naming every operand before anything is
 * queued. out must not alias A, B or bias.
 */
export function matmul(gpu: Gpu, out: Tensor, a: Tensor, b: Tensor, o: MatmulOptions = {}): void {
  const name = kernelName(o);
  const { M, N, K, batch, strideA, strideB } = matmulShape(name, out, a, b, o);
  const t = overrides.get(gpu) ?? tilesFor(gpu);
  const BM = t.WGY * MATMUL_TM;
  const BN = t.WGX * MATMUL_TN;
  const tilesN = Math.ceil(N / BN);
  const tilesMN = Math.ceil(M / BM) * tilesN;
  const total = tilesMN * batch;
  const groups = t.maxWorkgroups > 0 ? Math.min(total, t.maxWorkgroups) : total;
  const maxX = gpu.limits.maxComputeWorkgroupsPerDimension;
  const workgroups: [number, number] = groups <= maxX ? [groups, 1] : [maxX, Math.ceil(groups / maxX)];
  // vec4 global loads need the contiguous dimension (and so every row start) to be a multiple of 4, and
  // the batch strides too.
  const contA = o.transA ? M : K;
  const contB = o.transB ? K : N;
  const vecA = contA % 4 === 0 && strideA % 4 === 0 ? 1 : 0;
  const vecB = contB % 4 === 0 && strideB % 4 === 0 ? 1 : 0;
  gpu.run({
    kernel: {
      name,
      code,
      entry: 'main',
      constants: {
        TRANS_A: o.transA ? 1 : 0,
        TRANS_B: o.transB ? 1 : 0,
        HAS_BIAS: o.bias ? 1 : 0,
        ACCUMULATE: o.accumulate ? 1 : 0,
        WGX: t.WGX,
        WGY: t.WGY,
        BK: t.BK,
      },
    },
    workgroups,
    params: [M, N, K, strideA, strideB, M * N, vecA, vecB, tilesN, tilesMN, total],
    buffers: [a, b, a, b, o.bias ?? dummy(gpu), out],
  });
}

// Our matmul vs tf.matMul on tfjs's WebGPU backend, same adapter, same run, timed alike (bench/timing.ts):
// square 256/512/1024 and the GPT training-step shapes (B·T = 768 rows, C = 128, 3C = 384, 4C = 512),
// including the transposed forms the backward pass uses (dX = dY·Wᵀ is NT, dW = Xᵀ·dY is TN).
import { matmul, setMatmulTiles, getMatmulTiles } from '../../src/model/kernels/matmul.ts';
import { timeGpu, gflops } from '../timing.ts';
import type { BenchContext, BenchSection } from '../types.ts';

export interface MatmulCase {
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

export interface MatmulRow {
  m: number;
  n: number;
  k: number;
  /** "NN", "NT" (B transposed) or "TN" (A transposed). */
  trans: string;
  case: string;
  ours_gflops: number;
  tfjs_gflops: number | null;
  /** ours / tfjs. */
  ratio: number | null;
  ours_ms: number;
  tfjs_ms: number | null;
  /**
   * GFLOP per CPU-second of Chromium's GPU process (SwiftShader's threads), null when unknown: steadier
   * than wall time on a busy machine. On 2 cores, wall GFLOP/s is at best twice this.
   */
  ours_cpu_gflops: number | null;
  tfjs_cpu_gflops: number | null;
  /** Only in a --tiles sweep: the configuration of this row. */
  tiles?: string;
}

const c = (name: string, m: number, n: number, k: number, trans = 'NN'): MatmulCase => ({
  name,
  m,
  n,
  k,
  transA: trans[0] === 'T',
  transB: trans[1] === 'T',
});

export const MATMUL_CASES: MatmulCase[] = [
  c('square 256', 256, 256, 256),
  c('square 512', 512, 512, 512),
  c('square 1024', 1024, 1024, 1024),
  c('qkv fwd x·W', 768, 384, 128),
  c('qkv dX dY·Wᵀ', 768, 128, 384, 'NT'),
  c('qkv dW Xᵀ·dY', 128, 384, 768, 'TN'),
  c('fc fwd x·W', 768, 512, 128),
  c('fc dX dY·Wᵀ', 768, 128, 512, 'NT'),
  c('fc dW Xᵀ·dY', 128, 512, 768, 'TN'),
  c('proj fwd x·W', 768, 128, 512),
  c('proj dW Xᵀ·dY', 512, 128, 768, 'TN'),
];

const trans = (x: MatmulCase) => `${x.transA ? 'T' : 'N'}${x.transB ? 'T' : 'N'}`;

function randoms(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

async function runCases({ gpu, options, log, tfjs, cpuMs }: BenchContext, tiles?: string): Promise<MatmulRow[]> {
  const filter = typeof options.shapes === 'string' ? options.shapes.split(',') : null;
  let cases = MATMUL_CASES.filter((x) => !filter || filter.some((f) => x.name.includes(f)));
  if (options.quick) cases = cases.filter((x) => x.m * x.n * x.k <= 512 ** 3);
  const skipTf = options.tfjs === 'no';
  const tf = skipTf ? null : await tfjs();
  const target = Number(options.targetMs ?? 1500);
  const rows: MatmulRow[] = [];
  for (const x of cases) {
    const { m, n, k } = x;
    const flop = 2 * m * n * k;
    const A = randoms(m * k);
    const B = randoms(k * n);
    const aShape = x.transA ? [k, m] : [m, k];
    const bShape = x.transB ? [n, k] : [k, n];

    const a = gpu.tensor(aShape, 'a', A);
    const b = gpu.tensor(bShape, 'b', B);
    const out = gpu.tensor([m, n], 'out');
    const ours = await timeGpu(
      () => matmul(gpu, out, a, b, { transA: x.transA, transB: x.transB }),
      () => gpu.sync(),
      { targetMs: target, cpuMs },
    );
    const oursOut = (await out.read()) as Float32Array;
    a.release();
    b.release();
    out.release();

    let theirs: Awaited<ReturnType<typeof timeGpu>> | null = null;
    if (tf) {
      const ta = tf.tensor(A, aShape);
      const tb = tf.tensor(B, bShape);
      const outs: import('@tensorflow/tfjs-core').Tensor[] = [];
      const backend = tf.backend() as unknown as {
        submitQueue(): void;
        endComputePassEncoder(): void;
        commandEncoder: GPUCommandEncoder | null;
        device: GPUDevice;
      };
      theirs = await timeGpu(
        () => outs.push(tf.matMul(ta, tb, x.transA, x.transB)),
        async () => {
          backend.endComputePassEncoder();
          if (backend.commandEncoder) backend.submitQueue();
          await backend.device.queue.onSubmittedWorkDone();
        },
        { targetMs: target, cpuMs },
      );
      // Same answer? (guards against timing a broken kernel)
      const last = outs[outs.length - 1];
      const want = (await last.data()) as Float32Array;
      let err = 0;
      let mag = 0;
      for (let i = 0; i < want.length; i++) {
        err = Math.max(err, Math.abs(want[i] - oursOut[i]));
        mag = Math.max(mag, Math.abs(want[i]));
      }
      if (!(err <= 1e-4 * mag + 1e-5)) throw new Error(`matmul ${x.name}: ours differs from tfjs by ${err} (max |x| ${mag})`);
      for (const t of outs) t.dispose();
      ta.dispose();
      tb.dispose();
    }

    const row: MatmulRow = {
      m,
      n,
      k,
      trans: trans(x),
      case: x.name,
      ours_gflops: +gflops(flop, ours.msPerCall).toFixed(3),
      tfjs_gflops: theirs ? +gflops(flop, theirs.msPerCall).toFixed(3) : null,
      ratio: theirs ? +(theirs.msPerCall / ours.msPerCall).toFixed(2) : null,
      ours_ms: +ours.msPerCall.toFixed(2),
      tfjs_ms: theirs ? +theirs.msPerCall.toFixed(2) : null,
      ours_cpu_gflops: ours.cpuMsPerCall ? +gflops(flop, ours.cpuMsPerCall).toFixed(3) : null,
      tfjs_cpu_gflops: theirs?.cpuMsPerCall ? +gflops(flop, theirs.cpuMsPerCall).toFixed(3) : null,
      ...(tiles ? { tiles } : {}),
    };
    rows.push(row);
    log(
      `  ${x.name.padEnd(16)} ${trans(x)} ${m}×${k}·${k}×${n}: ours ${row.ours_gflops} GFLOP/s (${ours.reps} reps, ${row.ours_cpu_gflops} per CPU-s)` +
        (theirs ? `, tfjs ${row.tfjs_gflops} GFLOP/s (${theirs.reps} reps, ${row.tfjs_cpu_gflops} per CPU-s), ×${row.ratio}` : ''),
    );
  }
  return rows;
}

const section: BenchSection<MatmulRow[]> = {
  key: 'matmul',
  order: 0,
  async run(ctx) {
    const { options, log } = ctx;
    // --tiles=8x8x16[x16] (WGXxWGYxBK[xmaxWorkgroups]) sets the tile configuration; several separated by '/' sweep them.
    const sweep = typeof options.tiles === 'string' ? options.tiles.split('/') : [null];
    const rows: MatmulRow[] = [];
    for (const tiles of sweep) {
      if (tiles) {
        const [WGX, WGY, BK, P] = tiles.split('x').map(Number);
        setMatmulTiles(ctx.gpu, { WGX, WGY, BK, ...(P !== undefined ? { maxWorkgroups: P } : {}) });
      }
      log(`matmul tiles ${JSON.stringify(getMatmulTiles(ctx.gpu))}`);
      rows.push(...(await runCases(ctx, sweep.length > 1 ? tiles! : undefined)));
    }
    if (rows.length) ctx.results.bestMatmulGflops = Math.max(...rows.map((r) => r.ours_gflops));
    return rows;
  },
  report(rows) {
    const num = (x: number | null, w: number) => (x === null ? '-' : x.toFixed(3)).padStart(w);
    const ratio = (x: number | null, y: number | null, w: number) => (x && y ? `×${(x / y).toFixed(1)}` : '-').padStart(w);
    const head =
      `${'case'.padEnd(22)} ${'op'.padEnd(3)} ${'m'.padStart(5)} ${'n'.padStart(5)} ${'k'.padStart(5)} ` +
      `${'ours GF/s'.padStart(10)} ${'tfjs GF/s'.padStart(10)} ${'ours/tfjs'.padStart(9)} ` +
      `${'ours GF/cpu-s'.padStart(14)} ${'tfjs GF/cpu-s'.padStart(14)} ${'cpu ratio'.padStart(9)}`;
    return [
      head,
      '-'.repeat(head.length),
      ...rows.map(
        (r) =>
          `${(r.tiles ? `${r.case} ${r.tiles}` : r.case).padEnd(22)} ${r.trans.padEnd(3)} ${String(r.m).padStart(5)} ${String(r.n).padStart(5)} ${String(r.k).padStart(5)} ` +
          `${num(r.ours_gflops, 10)} ${num(r.tfjs_gflops, 10)} ${ratio(r.ours_gflops, r.tfjs_gflops, 9)} ` +
          `${num(r.ours_cpu_gflops, 14)} ${num(r.tfjs_cpu_gflops, 14)} ${ratio(r.ours_cpu_gflops, r.tfjs_cpu_gflops, 9)}`,
      ),
      'GF/s: wall-clock GFLOP/s; GF/cpu-s: GFLOP per CPU-second of the GPU process (steadier on a busy machine).',
    ];
  },
};

export default section;

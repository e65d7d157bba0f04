// Fused causal attention, forward + backward, at the shapes of the presets' training steps: the time of
// one fwd+bwd (3 dispatches) and the FLOP/s it reaches (4·hs FLOPs per causal (query, key) pair forward,
// 8·hs backward).
import { attentionBenchCase } from '../../src/model/kernels/attention.ts';
import { timeGpu, gflops } from '../timing.ts';
import type { BenchSection } from '../types.ts';

export interface AttentionRow {
  preset: string;
  B: number;
  T: number;
  C: number;
  NH: number;
  fwd_bwd_ms: number;
  gflops: number;
  dispatches: number;
}

// The shapes of one layer's attention in a training step of each preset.
const CASES = [
  { preset: 'tiny', B: 8, T: 64, C: 64, NH: 2 },
  { preset: 'baby-cpu', B: 12, T: 64, C: 128, NH: 4 },
  { preset: 'baby (B=4)', B: 4, T: 256, C: 384, NH: 6 },
];

const section: BenchSection<AttentionRow[]> = {
  key: 'attention',
  order: 20,
  async run(ctx) {
    const rows: AttentionRow[] = [];
    for (const c of ctx.options.quick ? CASES.slice(0, 2) : CASES) {
      const bench = attentionBenchCase(ctx.gpu, c, 'fused');
      const t = await timeGpu(bench.run, () => ctx.gpu.sync(), { targetMs: 1000, maxReps: 20 });
      bench.release();
      rows.push({ ...c, fwd_bwd_ms: t.msPerCall, gflops: gflops(bench.flops, t.msPerCall), dispatches: bench.dispatches });
      ctx.log(`attention ${c.preset} B=${c.B} T=${c.T} C=${c.C} NH=${c.NH}: ${t.msPerCall.toFixed(2)} ms fwd+bwd`);
    }
    return rows;
  },
  report(rows) {
    return [
      'preset          B    T     C   NH   fwd+bwd ms   GFLOP/s',
      ...rows.map((r) => `${r.preset.padEnd(14)} ${String(r.B).padStart(3)} ${String(r.T).padStart(4)} ${String(r.C).padStart(5)} ${String(r.NH).padStart(4)} ${r.fwd_bwd_ms.toFixed(2).padStart(12)} ${r.gflops.toFixed(2).padStart(9)}`),
    ];
  },
};

export default section;

// The contract between the benchmark page (bench/main.ts) and its sections. A section is a module in
// bench/sections/ whose default export is a BenchSection; the page runs every section it finds (sorted by
// `order`, then key) in one Chromium page and puts each result under its key in the JSON object that
// `npm run bench -- --json` prints:
//   {"adapter": {...}, "matmul": [...], "<your key>": <whatever run() returned>, ...}
import type { Gpu } from '../src/model/gpu/runtime.ts';

export interface BenchContext {
  /** Our runtime on navigator.gpu (one device shared by every section). */
  gpu: Gpu;
  /** Options from the command line: `--quick`, `--only=a,b`, and any `--key=value` pairs. */
  options: BenchOptions;
  /** A progress/report line, printed by scripts/bench.mjs on stderr as it arrives. */
  log: (line: string) => void;
  /** Loads tfjs (core + webgpu backend) on the first call and returns it (its own device, same adapter). */
  tfjs: () => Promise<typeof import('@tensorflow/tfjs-core')>;
  /**
   * CPU milliseconds Chromium's GPU process has used so far (where SwiftShader runs), or null when unknown
   * (not under scripts/bench.mjs, not Linux). Pass it to timeGpu to get CPU time per call next to wall time.
   */
  cpuMs: () => Promise<number | null>;
  /**
   * Scratch space shared by the sections of one run, not printed: every finished section's result is
   * here under its key, plus whatever a section leaves for later ones (the matmul section sets
   * bestMatmulGflops, the best wall-clock GFLOP/s of our matmul in this run).
   */
  results: Record<string, unknown> & { bestMatmulGflops?: number };
}

export interface BenchOptions {
  quick?: boolean;
  only?: string[];
  [key: string]: unknown;
}

export interface BenchSection<R = unknown> {
  /** Key of this section's result in the JSON object. */
  key: string;
  /** Lower runs first (matmul is 0); default 100. */
  order?: number;
  /** Only run when named in --only (tuning experiments). */
  optIn?: boolean;
  run(ctx: BenchContext): Promise<R>;
  /** Table lines for humans, printed after the run (optional). */
  report?(result: R): string[];
}

// One pretraining step of the baby-cpu preset (nanoGPT's CPU config: 4 layers, 4 heads, 128 dims,
// context 64, batch 12) on tinyshakespeare with the char tokenizer, timed as training runs it (a sync per
// step to read the loss). Reports tokens/s, ms per step, dispatches per step, and the step's achieved
// FLOP/s over the best matmul FLOP/s this bench measured on the same adapter (mfu_vs_matmul).
import { Gpt } from '../../src/model/gpt.ts';
import { initParams, paramCount } from '../../src/model/config.ts';
import { buildCharTokenizer } from '../../src/model/tokenizer/index.ts';
import { BatchSampler, splitTokens } from '../../src/model/train/batches.ts';
import { Trainer } from '../../src/model/train/trainer.ts';
import { getPreset } from '../../src/model/train/presets.ts';
import { DEFAULT_ADAMW } from '../../src/model/optimizer.ts';
import type { BenchContext, BenchSection } from '../types.ts';

export interface TrainStepResult {
  preset: string;
  corpus: string;
  params: number;
  tokens_per_s: number;
  ms_per_step: number;
  gflops: number;
  dispatches_per_step: number;
  /** Achieved FLOP/s of the step over the best matmul FLOP/s measured in this run (null without one). */
  mfu_vs_matmul: number | null;
}

/** Text the page can train on: tinyshakespeare from ../shared (served by scripts/bench.mjs), else generated. */
async function corpus(ctx: BenchContext): Promise<{ name: string; text: string }> {
  const url = ctx.options.shakespeareUrl;
  if (typeof url === 'string') {
    const res = await fetch(url);
    if (res.ok) return { name: 'tinyshakespeare', text: await res.text() };
  }
  ctx.log('tinyshakespeare not available; timing on generated text instead');
  const words = ['to', 'be', 'or', 'not', 'that', 'is', 'the', 'question', 'whether', "'tis", 'nobler', 'in', 'mind'];
  let s = '';
  for (let i = 0; s.length < 200_000; i++) s += words[(i * 7919) % words.length] + (i % 11 === 10 ? '.\n' : ' ');
  return { name: 'generated', text: s };
}

/** Training FLOPs per token: 6 per weight of the matmuls (forward + backward) plus attention's 12·L·T·C. */
function flopsPerToken(params: number, layers: number, context: number, channels: number, wpe: number): number {
  return 6 * (params - wpe) + 12 * layers * context * channels;
}

const section: BenchSection<TrainStepResult> = {
  key: 'train_step',
  order: 50,
  async run(ctx) {
    const { gpu, log } = ctx;
    const p = getPreset('baby-cpu');
    const { name, text } = await corpus(ctx);
    const tok = buildCharTokenizer(text);
    const config = { vocabSize: tok.vocabSize, contextLength: p.context, layers: p.layers, heads: p.heads, channels: p.channels };
    const model = new Gpt(gpu, config, initParams(config, 1337));
    const settings = {
      batch: p.batch, context: p.context, gradAccum: 1, steps: 1e9, maxLr: p.lr, minLr: p.minLr, warmupSteps: p.warmup,
      decaySteps: p.steps, evalEvery: 0, evalBatches: 1, seed: 1, optimizer: { ...DEFAULT_ADAMW, beta2: p.beta2 },
    };
    const sampler = new BatchSampler(splitTokens(Uint32Array.from(tok.encode(text))).train, p.batch, p.context, 1);
    const trainer = new Trainer(gpu, model, settings, () => sampler.next());
    const warmup = 2;
    const reps = ctx.options.quick ? 3 : 8;
    for (let i = 0; i < warmup; i++) await trainer.trainStep();
    const d0 = gpu.dispatchCount;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await trainer.trainStep();
    const ms = (performance.now() - t0) / reps;
    const dispatches = (gpu.dispatchCount - d0) / reps;
    const params = paramCount(config);
    const tokens = p.batch * p.context;
    const gflops = (flopsPerToken(params, p.layers, p.context, p.channels, p.context * p.channels) * tokens) / (ms * 1e6);
    // Filled in by the matmul section when it ran earlier in the same page (same adapter, same run).
    const best = (ctx as BenchContext & { results?: { bestMatmulGflops?: number } }).results?.bestMatmulGflops ?? null;
    log(`train_step ${p.name}: ${ms.toFixed(1)} ms/step, ${(tokens / (ms / 1000)).toFixed(0)} tok/s, ${gflops.toFixed(2)} GFLOP/s, ${dispatches} dispatches`);
    trainer.release();
    model.release();
    return {
      preset: p.name,
      corpus: name,
      params,
      tokens_per_s: tokens / (ms / 1000),
      ms_per_step: ms,
      gflops,
      dispatches_per_step: dispatches,
      mfu_vs_matmul: best ? gflops / best : null,
    };
  },
  report(r) {
    return [
      `preset ${r.preset} on ${r.corpus}: ${r.params.toLocaleString()} parameters`,
      `${r.ms_per_step.toFixed(1)} ms/step   ${r.tokens_per_s.toFixed(0)} tokens/s   ${r.gflops.toFixed(2)} GFLOP/s   ${r.dispatches_per_step} dispatches/step`,
      `mfu_vs_matmul ${r.mfu_vs_matmul === null ? 'n/a (no matmul section in this run)' : r.mfu_vs_matmul.toFixed(2)}`,
    ];
  },
};

export default section;

// What a model configuration costs before it is trained: parameters, GPU memory, the largest single buffer
// (which must fit the device's binding limit), and the checks the form shows.
import { paramCount, type GptConfig } from '../../model/config.ts';
import type { ModelSpec } from '../../model/worker/protocol.ts';

export interface MemoryEstimate {
  params: number;
  /** 4·P bytes each: the weights, their gradients, and AdamW's two moments (m, v). */
  weightsBytes: number;
  gradsBytes: number;
  adamBytes: number;
  /** Activations the forward saves plus the backward's scratch, for one micro-batch of B×T tokens. */
  activationBytes: number;
  totalBytes: number;
  /** The largest single buffer (logits [B·T, V] in all but odd shapes). */
  largestBufferBytes: number;
}

/**
 * Memory for training, in bytes, all float32 (4 bytes a number). With P parameters, B batch, T context,
 * C channels, L layers, H heads, V vocabulary and N = B·T tokens per micro-batch:
 *
 *   total = 4·P (weights) + 4·P (gradients) + 8·P (AdamW m and v)
 *         + 4·[ L·(16·N·C + N·(4 + H))          per layer: ln1, atty, x1, ln2, x_out (5·N·C), qkv (3·N·C),
 *                                                 fc and its GELU (8·N·C); LayerNorm means and rstds (4·N);
 *                                                 attention's logsumexp stats (N·H)
 *             + 17·N·C                           x0, lnf, proj; backward scratch d_residual, d_ln, d_atty
 *                                                 (6·N·C), d_qkv (3·N·C), d_fc and d_gelu (8·N·C)
 *             + 2·N·V                            logits and their gradient
 *             + 6·N + N·H ]                      tokens, targets, weights, lnf mean/rstd, losses; the
 *                                                 attention backward's rowsum scratch
 *
 * It is what src/model/activations.ts allocates; the GPU's own overhead (pipelines, staging buffers, the
 * allocator's rounding) comes on top, so treat it as a lower bound.
 */
export function estimateMemory(config: GptConfig, batch: number): MemoryEstimate {
  const P = paramCount(config);
  const { layers: L, heads: H, channels: C, vocabSize: V } = config;
  const N = batch * config.contextLength;
  const activationFloats = L * (16 * N * C + N * (4 + H)) + 17 * N * C + 2 * N * V + 6 * N + N * H;
  const weightsBytes = 4 * P;
  const activationBytes = 4 * activationFloats;
  const largestBufferBytes = 4 * Math.max(N * V, N * 4 * C, V * C, C * 4 * C, config.contextLength * C);
  return {
    params: P,
    weightsBytes,
    gradsBytes: weightsBytes,
    adamBytes: 2 * weightsBytes,
    activationBytes,
    totalBytes: 4 * weightsBytes + activationBytes,
    largestBufferBytes,
  };
}

export type ConfigProblem =
  | { key: 'pt.err.int'; field: string }
  | { key: 'pt.err.heads'; channels: number; heads: number }
  | { key: 'pt.err.buffer'; need: number; limit: number }
  | { key: 'pt.err.tokens'; tokens: number; context: number }
  | { key: 'pt.err.lr' };

/** The editable fields of the model form. */
export type FormValues = Omit<ModelSpec, 'beta2' | 'weightDecay'>;

const LIMITS: Record<keyof FormValues, [number, number]> = {
  layers: [1, 48],
  heads: [1, 64],
  channels: [8, 4096],
  context: [8, 2048],
  batch: [1, 1024],
  steps: [1, 1_000_000],
  lr: [0, 1],
  warmup: [0, 1_000_000],
  evalEvery: [0, 1_000_000],
};

export function fieldRange(f: keyof FormValues): [number, number] {
  return LIMITS[f];
}

/**
 * What is wrong with the form: whole numbers in range, channels divisible by heads, the largest buffer
 * within the device's storage-binding limit, and (once the corpus is tokenized) enough tokens for a
 * training window of context + 1 and a little validation text.
 */
export function checkConfig(v: FormValues, vocabSize: number, maxBinding: number | null, corpusTokens: number | null): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const f of Object.keys(LIMITS) as (keyof FormValues)[]) {
    const [lo, hi] = LIMITS[f];
    const x = v[f];
    const intOk = f === 'lr' ? Number.isFinite(x) : Number.isInteger(x);
    if (!intOk || x < lo || x > hi) out.push(f === 'lr' ? { key: 'pt.err.lr' } : { key: 'pt.err.int', field: f });
  }
  if (v.lr <= 0 && !out.some((p) => p.key === 'pt.err.lr')) out.push({ key: 'pt.err.lr' });
  if (out.length) return out;
  if (v.channels % v.heads !== 0) out.push({ key: 'pt.err.heads', channels: v.channels, heads: v.heads });
  const est = estimateMemory({ vocabSize, contextLength: v.context, layers: v.layers, heads: v.heads, channels: v.channels }, v.batch);
  if (maxBinding !== null && est.largestBufferBytes > maxBinding) out.push({ key: 'pt.err.buffer', need: est.largestBufferBytes, limit: maxBinding });
  if (corpusTokens !== null) {
    // The first 90 % trains (it needs a window of context + 1 tokens), the rest validates (at least 2).
    const train = Math.floor(corpusTokens * 0.9);
    if (train < v.context + 1 || corpusTokens - train < 2) out.push({ key: 'pt.err.tokens', tokens: corpusTokens, context: v.context });
  }
  return out;
}

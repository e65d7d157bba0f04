// The reference GPT-2 in float64: forward and backward built only from ops.ts, layer by layer as llm.c
// does it. The GPU model is checked against this (logits, loss, every gradient, AdamW steps).
import type { GptConfig } from '../config.ts';
import * as op from './ops.ts';

export type Params = Map<string, Float64Array>;

interface LayerActs {
  xIn: Float64Array;
  ln1: ReturnType<typeof op.layernorm>;
  qkv: Float64Array;
  att: ReturnType<typeof op.attention>;
  x1: Float64Array;
  ln2: ReturnType<typeof op.layernorm>;
  fch: Float64Array;
  fchGelu: Float64Array;
}

export interface ForwardResult {
  logits: Float64Array;
  losses: Float64Array;
  loss: number;
  acts: { layers: LayerActs[]; xOut: Float64Array; lnf: ReturnType<typeof op.layernorm> };
}

export interface Batch {
  tokens: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** Per-position loss weights (1 = trained, 0 = masked); defaults to all ones. */
  weights?: ArrayLike<number>;
  B: number;
  T: number;
}

function linear(x: Float64Array, p: Params, name: string, rows: number, inDim: number, outDim: number): Float64Array {
  return op.addBias(op.matmul(x, p.get(`${name}.weight`)!, rows, outDim, inDim), p.get(`${name}.bias`)!, rows, outDim);
}

export function forward(cfg: GptConfig, p: Params, batch: Batch): ForwardResult {
  const { B, T } = batch;
  const C = cfg.channels;
  const NH = cfg.heads;
  const V = cfg.vocabSize;
  const N = B * T;
  const get = (n: string) => p.get(n)!;
  let x = op.embedding(batch.tokens, get('transformer.wte.weight'), get('transformer.wpe.weight'), B, T, C);
  const layers: LayerActs[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const h = `transformer.h.${l}.`;
    const ln1 = op.layernorm(x, get(`${h}ln_1.weight`), get(`${h}ln_1.bias`), N, C);
    const qkv = linear(ln1.out, p, `${h}attn.c_attn`, N, C, 3 * C);
    const att = op.attention(qkv, B, T, C, NH);
    const x1 = op.add(x, linear(att.out, p, `${h}attn.c_proj`, N, C, C));
    const ln2 = op.layernorm(x1, get(`${h}ln_2.weight`), get(`${h}ln_2.bias`), N, C);
    const fch = linear(ln2.out, p, `${h}mlp.c_fc`, N, C, 4 * C);
    const fchGelu = op.gelu(fch);
    const xOut = op.add(x1, linear(fchGelu, p, `${h}mlp.c_proj`, N, 4 * C, C));
    layers.push({ xIn: x, ln1, qkv, att, x1, ln2, fch, fchGelu });
    x = xOut;
  }
  const lnf = op.layernorm(x, get('transformer.ln_f.weight'), get('transformer.ln_f.bias'), N, C);
  // The LM head is tied to the token embedding: logits = lnf · wteᵀ.
  const logits = op.matmul(lnf.out, get('transformer.wte.weight'), N, V, C, { transB: true });
  const weights = batch.weights ?? new Float64Array(N).fill(1);
  const { losses, loss } = op.crossEntropy(logits, batch.targets, weights, N, V);
  return { logits, losses, loss, acts: { layers, xOut: x, lnf } };
}

/** Gradients of the batch's weighted mean loss with respect to every parameter. */
export function backward(cfg: GptConfig, p: Params, batch: Batch, fwd: ForwardResult): Params {
  const { B, T } = batch;
  const C = cfg.channels;
  const NH = cfg.heads;
  const V = cfg.vocabSize;
  const N = B * T;
  const get = (n: string) => p.get(n)!;
  const grads: Params = new Map();
  const weights = batch.weights ?? new Float64Array(N).fill(1);

  // y = x·W + b  →  dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ_rows dy
  const linearBackward = (dy: Float64Array, x: Float64Array, name: string, inDim: number, outDim: number): Float64Array => {
    grads.set(`${name}.weight`, op.matmul(x, dy, inDim, outDim, N, { transA: true }));
    grads.set(`${name}.bias`, op.biasGrad(dy, N, outDim));
    return op.matmul(dy, get(`${name}.weight`), N, inDim, outDim, { transB: true });
  };

  const dlogits = op.crossEntropyBackward(fwd.logits, batch.targets, weights, N, V);
  const wte = get('transformer.wte.weight');
  const dwteHead = op.matmul(dlogits, fwd.acts.lnf.out, V, C, N, { transA: true });
  const dlnf = op.matmul(dlogits, wte, N, C, V);
  const lnfB = op.layernormBackward(dlnf, fwd.acts.xOut, get('transformer.ln_f.weight'), fwd.acts.lnf.mean, fwd.acts.lnf.rstd, N, C);
  grads.set('transformer.ln_f.weight', lnfB.dw);
  grads.set('transformer.ln_f.bias', lnfB.db);

  let dx = lnfB.dx; // gradient flowing down the residual stream
  for (let l = cfg.layers - 1; l >= 0; l--) {
    const h = `transformer.h.${l}.`;
    const a = fwd.acts.layers[l];
    // x = x1 + mlp(ln2(x1))
    const dfchGelu = linearBackward(dx, a.fchGelu, `${h}mlp.c_proj`, 4 * C, C);
    const dfch = op.geluBackward(a.fch, dfchGelu);
    const dln2 = linearBackward(dfch, a.ln2.out, `${h}mlp.c_fc`, C, 4 * C);
    const ln2B = op.layernormBackward(dln2, a.x1, get(`${h}ln_2.weight`), a.ln2.mean, a.ln2.rstd, N, C);
    grads.set(`${h}ln_2.weight`, ln2B.dw);
    grads.set(`${h}ln_2.bias`, ln2B.db);
    const dx1 = op.add(dx, ln2B.dx);
    // x1 = x + attn(ln1(x))
    const datty = linearBackward(dx1, a.att.out, `${h}attn.c_proj`, C, C);
    const dqkv = op.attentionBackward(datty, a.qkv, a.att.att, B, T, C, NH);
    const dln1 = linearBackward(dqkv, a.ln1.out, `${h}attn.c_attn`, C, 3 * C);
    const ln1B = op.layernormBackward(dln1, a.xIn, get(`${h}ln_1.weight`), a.ln1.mean, a.ln1.rstd, N, C);
    grads.set(`${h}ln_1.weight`, ln1B.dw);
    grads.set(`${h}ln_1.bias`, ln1B.db);
    dx = op.add(dx1, ln1B.dx);
  }
  const emb = op.embeddingBackward(dx, batch.tokens, B, T, C, V);
  grads.set('transformer.wte.weight', op.add(emb.dwte, dwteHead));
  const dwpe = new Float64Array(get('transformer.wpe.weight').length); // positions ≥ T get no gradient
  dwpe.set(emb.dwpe);
  grads.set('transformer.wpe.weight', dwpe);
  return grads;
}

export interface TrainState {
  m: Params;
  v: Params;
  step: number;
}

/**
 * One optimiser step as the GPU trainer takes it: forward, backward, global-norm clip, AdamW with decay
 * only on the parameters `decay` names. Returns the loss and the gradient norm before clipping.
 */
export function trainStep(
  cfg: GptConfig,
  p: Params,
  state: TrainState,
  batch: Batch,
  o: op.AdamWConfig & { maxGradNorm: number; decay: (name: string) => boolean },
): { loss: number; gradNorm: number } {
  const fwd = forward(cfg, p, batch);
  const grads = backward(cfg, p, batch, fwd);
  const gradNorm = op.globalNorm([...grads.values()]);
  const scale = op.clipScale(gradNorm, o.maxGradNorm);
  state.step++;
  for (const [name, param] of p) {
    if (!state.m.has(name)) {
      state.m.set(name, new Float64Array(param.length));
      state.v.set(name, new Float64Array(param.length));
    }
    const g = grads.get(name)!.map((x) => x * scale);
    op.adamw(param, g, state.m.get(name)!, state.v.get(name)!, state.step, { ...o, weightDecay: o.decay(name) ? o.weightDecay : 0 });
  }
  return { loss: fwd.loss, gradNorm };
}

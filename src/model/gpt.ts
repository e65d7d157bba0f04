// GPT-2 on the GPU: parameters, an explicit forward and backward per layer (as llm.c does it), built
// from the kernels in ./kernels. Every stage (pretraining, SFT, reward model, PPO, DPO) is this trunk
// plus its own head and loss that hand back d(logits) or d(hidden).
//
//   x = wte[tokens] + wpe                     embeddingForward
//   for each layer:
//     x1   = x  + c_proj(attn(c_attn(ln_1(x))))
//     xOut = x1 + mlp.c_proj(gelu(mlp.c_fc(ln_2(x1))))
//   logits = ln_f(x)·wteᵀ                     the LM head is tied to the token embedding
import type { Gpu, Tensor } from './gpu/runtime.ts';
import { paramSpecs, validateConfig, type GptConfig, type ParamSpec } from './config.ts';
import { Activations } from './activations.ts';
import { embeddingBackward, embeddingForward } from './kernels/embedding.ts';
import { layernormBackward, layernormForward } from './kernels/layernorm.ts';
import { matmul } from './kernels/matmul.ts';
import { biasGrad } from './kernels/bias-grad.ts';
import { attentionBackward, attentionForward } from './kernels/attention.ts';
import { geluBackward, geluForward } from './kernels/gelu.ts';
import { residualAdd } from './kernels/residual.ts';
import { crossEntropy } from './kernels/crossentropy.ts';

export interface StepBatch {
  tokens: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** Per-position loss weights (1 trained, 0 masked); default all ones. */
  weights?: ArrayLike<number>;
  B: number;
  T: number;
}

export class Gpt {
  readonly specs: ParamSpec[];
  readonly params = new Map<string, Tensor>();
  readonly grads = new Map<string, Tensor>();
  private acts: Activations | null = null;

  constructor(
    readonly gpu: Gpu,
    readonly config: GptConfig,
    values: Map<string, Float32Array>,
  ) {
    validateConfig(config);
    this.specs = paramSpecs(config);
    for (const s of this.specs) {
      const v = values.get(s.name);
      const numel = s.shape.reduce((a, b) => a * b, 1);
      if (!v || v.length !== numel) throw new Error(`parameter ${s.name}: expected ${numel} values, got ${v?.length ?? 'none'}`);
      this.params.set(s.name, gpu.tensor(s.shape, s.name, v));
      this.grads.set(s.name, gpu.tensor(s.shape, `grad ${s.name}`));
    }
    this.zeroGrads();
  }

  p(name: string): Tensor {
    return this.params.get(name)!;
  }

  g(name: string): Tensor {
    return this.grads.get(name)!;
  }

  /** The activations for a batch shape, reallocated only when the shape changes. */
  activations(B: number, T: number): Activations {
    if (T > this.config.contextLength) throw new Error(`sequence length ${T} exceeds the model's context ${this.config.contextLength}`);
    if (!this.acts || this.acts.B !== B || this.acts.T !== T) {
      this.acts?.release();
      this.acts = new Activations(this.gpu, this.config, B, T);
    }
    return this.acts;
  }

  zeroGrads(): void {
    for (const g of this.grads.values()) this.gpu.zero(g);
  }

  /** Runs the trunk and LM head on `tokens` ([B*T]); logits land in the returned activations. */
  forward(tokens: ArrayLike<number>, B: number, T: number): Activations {
    const a = this.activations(B, T);
    if (tokens.length !== B * T) throw new Error(`forward: ${tokens.length} tokens for B=${B}, T=${T}`);
    this.gpu.upload(a.tokens, tokens);
    const { gpu, config: cfg } = this;
    const N = B * T;
    const C = cfg.channels;
    const dims = { B, T, C, NH: cfg.heads };
    embeddingForward(gpu, a.x0, a.tokens, this.p('transformer.wte.weight'), this.p('transformer.wpe.weight'), { B, T, C });
    let x = a.x0;
    a.layers.forEach((l, i) => {
      const h = `transformer.h.${i}.`;
      layernormForward(gpu, l.ln1, l.ln1Mean, l.ln1Rstd, x, this.p(`${h}ln_1.weight`), this.p(`${h}ln_1.bias`), { N, C });
      matmul(gpu, l.qkv, l.ln1, this.p(`${h}attn.c_attn.weight`), { bias: this.p(`${h}attn.c_attn.bias`) });
      attentionForward(gpu, l.atty, l.attStats, l.qkv, dims);
      matmul(gpu, a.proj, l.atty, this.p(`${h}attn.c_proj.weight`), { bias: this.p(`${h}attn.c_proj.bias`) });
      residualAdd(gpu, l.x1, x, a.proj);
      layernormForward(gpu, l.ln2, l.ln2Mean, l.ln2Rstd, l.x1, this.p(`${h}ln_2.weight`), this.p(`${h}ln_2.bias`), { N, C });
      matmul(gpu, l.fch, l.ln2, this.p(`${h}mlp.c_fc.weight`), { bias: this.p(`${h}mlp.c_fc.bias`) });
      geluForward(gpu, l.fchGelu, l.fch);
      matmul(gpu, a.proj, l.fchGelu, this.p(`${h}mlp.c_proj.weight`), { bias: this.p(`${h}mlp.c_proj.bias`) });
      residualAdd(gpu, l.xOut, l.x1, a.proj);
      x = l.xOut;
    });
    layernormForward(gpu, a.lnf, a.lnfMean, a.lnfRstd, x, this.p('transformer.ln_f.weight'), this.p('transformer.ln_f.bias'), { N, C });
    matmul(gpu, a.logits, a.lnf, this.p('transformer.wte.weight'), { transB: true });
    return a;
  }

  /**
   * Forward and weighted cross-entropy: per-position losses in `losses`, d(loss)/d(logits) in `dlogits`.
   * `weightSum` normalises the loss: pass the Σ weights of all micro-batches of an accumulated step so the
   * accumulated gradient is that of their joint mean (default: this batch's Σ weights).
   */
  forwardLoss(batch: StepBatch, weightSum?: number): Activations {
    const { B, T } = batch;
    const N = B * T;
    const weights = batch.weights ?? new Float32Array(N).fill(1);
    let wsum = weightSum;
    if (wsum === undefined) {
      wsum = 0;
      for (let i = 0; i < N; i++) wsum += weights[i];
    }
    const a = this.activations(B, T);
    // Uploads go first: an upload flushes queued work, and this keeps the whole pass in one submit.
    this.gpu.upload(a.targets, batch.targets);
    this.gpu.upload(a.weights, weights);
    this.forward(batch.tokens, B, T);
    crossEntropy(this.gpu, a.losses, a.dlogits, a.logits, a.targets, a.weights, { N, V: this.config.vocabSize, weightSum: wsum });
    return a;
  }

  /** forwardLoss, then the backward; gradients ACCUMULATE into `grads` (zeroGrads() first). */
  forwardBackward(batch: StepBatch, weightSum?: number): Activations {
    const a = this.forwardLoss(batch, weightSum);
    this.backwardFromLogits(a);
    return a;
  }

  /** Backpropagates `a.dlogits` (already written by a loss) through the LM head and the trunk. */
  backwardFromLogits(a: Activations): void {
    this.lmHeadBackward(a);
    this.backwardFromFinalNorm(a);
  }

  /**
   * The LM head's part of the backward: d(wte) += dlogitsᵀ·lnf, and a.dln = dlogits·wte = d(ln_f output).
   * A stage with a second head on the same ln_f output (PPO's value head) adds its d(ln_f output) into
   * a.dln after this, then calls backwardFromFinalNorm.
   */
  lmHeadBackward(a: Activations): void {
    matmul(this.gpu, this.g('transformer.wte.weight'), a.dlogits, a.lnf, { transA: true, accumulate: true });
    matmul(this.gpu, a.dln, a.dlogits, this.p('transformer.wte.weight'));
  }

  /**
   * Backpropagates `a.dln` = d(ln_f output) through ln_f and the trunk. Heads on the final hidden state
   * (the reward model's scalar head) write a.dln themselves and start here.
   */
  backwardFromFinalNorm(a: Activations): void {
    const { gpu } = this;
    const C = this.config.channels;
    const last = a.layers.length ? a.layers[a.layers.length - 1].xOut : a.x0;
    layernormBackward(gpu, a.dres, this.g('transformer.ln_f.weight'), this.g('transformer.ln_f.bias'), a.dln, last, this.p('transformer.ln_f.weight'), a.lnfMean, a.lnfRstd, {
      N: a.B * a.T,
      C,
      accumulateParams: true,
    });
    this.backwardFromHidden(a);
  }

  /** Backpropagates `a.dres` = d(final residual stream, before ln_f) down to the embeddings. */
  backwardFromHidden(a: Activations): void {
    const { gpu } = this;
    const { B, T } = a;
    const N = B * T;
    const C = this.config.channels;
    const dims = { B, T, C, NH: this.config.heads };
    const ln = { N, C, accumulateDx: true, accumulateParams: true };
    // y = x·W + b: dx = dy·Wᵀ, dW += xᵀ·dy, db += Σ_rows dy
    const linearBackward = (dx: Tensor, dy: Tensor, x: Tensor, name: string) => {
      matmul(gpu, this.g(`${name}.weight`), x, dy, { transA: true, accumulate: true });
      biasGrad(gpu, this.g(`${name}.bias`), dy, { accumulate: true });
      matmul(gpu, dx, dy, this.p(`${name}.weight`), { transB: true });
    };
    for (let i = a.layers.length - 1; i >= 0; i--) {
      const h = `transformer.h.${i}.`;
      const l = a.layers[i];
      const xIn = i > 0 ? a.layers[i - 1].xOut : a.x0;
      // a.dres holds d(xOut); the MLP branch adds its part to make it d(x1).
      linearBackward(a.dfchGelu, a.dres, l.fchGelu, `${h}mlp.c_proj`);
      geluBackward(gpu, a.dfch, l.fch, a.dfchGelu);
      linearBackward(a.dln, a.dfch, l.ln2, `${h}mlp.c_fc`);
      layernormBackward(gpu, a.dres, this.g(`${h}ln_2.weight`), this.g(`${h}ln_2.bias`), a.dln, l.x1, this.p(`${h}ln_2.weight`), l.ln2Mean, l.ln2Rstd, ln);
      // now d(x1); the attention branch adds its part to make it d(xIn).
      linearBackward(a.dC, a.dres, l.atty, `${h}attn.c_proj`);
      attentionBackward(gpu, a.dqkv, a.dC, l.qkv, l.atty, l.attStats, dims);
      linearBackward(a.dln, a.dqkv, l.ln1, `${h}attn.c_attn`);
      layernormBackward(gpu, a.dres, this.g(`${h}ln_1.weight`), this.g(`${h}ln_1.bias`), a.dln, xIn, this.p(`${h}ln_1.weight`), l.ln1Mean, l.ln1Rstd, ln);
    }
    embeddingBackward(gpu, this.g('transformer.wte.weight'), this.g('transformer.wpe.weight'), a.dres, a.tokens, {
      B,
      T,
      C,
      V: this.config.vocabSize,
      accumulate: true,
    });
  }

  /** Copies every parameter back to the host (for checkpoints). */
  async readParams(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, t] of this.params) out.set(name, (await t.read()) as Float32Array);
    return out;
  }

  release(): void {
    this.acts?.release();
    this.acts = null;
    for (const t of [...this.params.values(), ...this.grads.values()]) t.release();
  }
}

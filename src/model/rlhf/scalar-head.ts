// A scalar head on the final hidden state: r = w·h + b, where h is a row of the ln_f output (a.lnf,
// [B*T, C]) at a chosen position (flattened index b*T + t). The reward model puts one on the <|end|> that
// closes each answer (Hugging Face GPT2ForSequenceClassification's `score`, no bias); PPO's value head puts
// one on every response position (TRL's `v_head`, with a bias) and shares the trunk with the LM head.
//
// The head has C (+1) parameters, so it lives on the CPU in float64: forward reads the lnf rows it needs
// (one GPU read) and keeps them for backward, which then only has to write d(lnf) = dScore·w back. That write
// is one rank-1 matmul (dScoresDense [N, 1] · w [1, C]) into a.dln, overwriting (zeros on the rows without a
// score) or accumulating onto what lmHeadBackward just wrote — no read-modify-write round trip.
import type { Gpu, Tensor } from '../gpu/runtime.ts';
import type { Activations } from '../activations.ts';
import { matmul } from '../kernels/matmul.ts';
import { adamw } from '../reference/ops.ts';
import { Rng } from '../reference/random.ts';
import type { AdamWHyper } from '../optimizer.ts';

export interface ScalarHeadOptions {
  /** Keep a bias b (PPO's value head); the reward model has none (Bradley–Terry ignores a shared offset). */
  bias?: boolean;
  /** Tensor-name prefix in checkpoints: 'score' (reward model, HF) or 'v_head' (value head, TRL). */
  name?: string;
  /** Seed of the N(0, initStd²) initialisation of w (HF initialises `score` with std 0.02). */
  seed?: number;
  initStd?: number;
}

export interface HeadBackwardOptions {
  /**
   * false (default): a.dln is OVERWRITTEN with d(lnf) (zero on rows without a score) — the reward model,
   * followed by model.backwardFromFinalNorm(a). true: d(lnf) is ADDED to a.dln (after
   * model.lmHeadBackward(a) wrote the LM head's part) — PPO's value head sharing the trunk.
   */
  accumulate?: boolean;
}

export class ScalarHead {
  readonly name: string;
  readonly hasBias: boolean;
  readonly w: Float64Array;
  b = 0;
  /** Gradients, accumulated by backward() until zeroGrad(). */
  readonly dw: Float64Array;
  db = 0;
  /** AdamW moments and step count of the head's own optimiser. */
  private readonly mw: Float64Array;
  private readonly vw: Float64Array;
  private readonly mb = new Float64Array(1);
  private readonly vb = new Float64Array(1);
  step = 0;
  /** The lnf rows of the last forward, by position, for backward. */
  private saved: { acts: Activations; positions: number[]; rows: Float64Array } | null = null;
  private scratch: { n: number; dense: Tensor; w: Tensor } | null = null;

  constructor(
    readonly C: number,
    opts: ScalarHeadOptions = {},
  ) {
    if (!Number.isInteger(C) || C < 1) throw new Error(`ScalarHead: bad channel count ${C}`);
    this.name = opts.name ?? 'score';
    this.hasBias = opts.bias ?? false;
    this.w = new Float64Array(C);
    const rng = new Rng(opts.seed ?? 1234);
    const std = opts.initStd ?? 0.02;
    for (let i = 0; i < C; i++) this.w[i] = rng.normal(0, std);
    this.dw = new Float64Array(C);
    this.mw = new Float64Array(C);
    this.vw = new Float64Array(C);
  }

  /** Scores of the given ln_f rows on the host (float64), e.g. for tests or rows read elsewhere. */
  scoreRows(rows: ArrayLike<number>, count: number): Float64Array {
    const { C } = this;
    if (rows.length < count * C) throw new Error(`ScalarHead: ${rows.length} values for ${count} rows of ${C}`);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let s = this.b;
      for (let c = 0; c < C; c++) s += this.w[c] * rows[i * C + c];
      out[i] = s;
    }
    return out;
  }

  /** r[i] = w·lnf[positions[i]] + b. Reads the rows spanning the positions in one GPU read. */
  async forward(a: Activations, positions: readonly number[]): Promise<Float64Array> {
    const { C } = this;
    const N = a.B * a.T;
    if (positions.length === 0) throw new Error('ScalarHead.forward: no positions');
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of positions) {
      if (!Number.isInteger(p) || p < 0 || p >= N) throw new Error(`ScalarHead.forward: position ${p} outside [0, ${N})`);
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    const span = await a.lnf.read(lo * C, (hi - lo + 1) * C);
    const rows = new Float64Array(positions.length * C);
    positions.forEach((p, i) => {
      for (let c = 0; c < C; c++) rows[i * C + c] = span[(p - lo) * C + c];
    });
    this.saved = { acts: a, positions: [...positions], rows };
    return this.scoreRows(rows, positions.length);
  }

  /**
   * Given dScores = d(loss)/d(r) for the positions of the last forward: dw += Σ dScore·h, db += Σ dScore on
   * the host, and d(lnf) = dScore·w into a.dln on the GPU (see HeadBackwardOptions.accumulate).
   */
  backward(a: Activations, positions: readonly number[], dScores: ArrayLike<number>, opts: HeadBackwardOptions = {}): void {
    const s = this.saved;
    if (!s || s.acts !== a || s.positions.length !== positions.length || s.positions.some((p, i) => p !== positions[i])) {
      throw new Error('ScalarHead.backward: call forward with the same activations and positions first');
    }
    if (dScores.length !== positions.length) throw new Error(`ScalarHead.backward: ${dScores.length} gradients for ${positions.length} positions`);
    const { C } = this;
    const N = a.B * a.T;
    const dense = new Float32Array(N);
    for (let i = 0; i < positions.length; i++) {
      const d = dScores[i];
      if (!Number.isFinite(d)) throw new Error(`ScalarHead.backward: gradient ${i} is ${d}`);
      for (let c = 0; c < C; c++) this.dw[c] += d * s.rows[i * C + c];
      this.db += d;
      dense[positions[i]] += d; // a position listed twice gets both contributions
    }
    const gpu = a.lnf.gpu;
    const t = this.scratchFor(gpu, N);
    gpu.upload(t.dense, dense);
    gpu.upload(t.w, Float32Array.from(this.w));
    matmul(gpu, a.dln, t.dense, t.w, { accumulate: opts.accumulate ?? false });
  }

  private scratchFor(gpu: Gpu, n: number): { dense: Tensor; w: Tensor } {
    if (!this.scratch || this.scratch.n !== n) {
      this.releaseScratch();
      this.scratch = { n, dense: gpu.tensor([n, 1], `${this.name} d_scores`), w: gpu.tensor([1, this.C], `${this.name} weight`) };
    }
    return this.scratch;
  }

  zeroGrad(): void {
    this.dw.fill(0);
    this.db = 0;
  }

  /** √(|dw|² + db²): for the divergence guard and clipping. */
  gradNorm(): number {
    let s = this.hasBias ? this.db * this.db : 0;
    for (const g of this.dw) s += g * g;
    return Math.sqrt(s);
  }

  /**
   * One AdamW step on w (decayed) and b (not decayed), its gradient clipped to hyper.maxGradNorm on its own
   * (the trunk's global norm is clipped separately by the shared optimiser).
   */
  update(lr: number, hyper: AdamWHyper): void {
    const norm = this.gradNorm();
    if (!Number.isFinite(norm)) throw new Error(`the ${this.name} head's gradient is not finite`);
    const clip = hyper.maxGradNorm > 0 && Number.isFinite(hyper.maxGradNorm) ? Math.min(1, hyper.maxGradNorm / (norm + 1e-6)) : 1;
    this.step++;
    const base = { lr, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps };
    adamw(this.w, this.dw.map((g) => g * clip), this.mw, this.vw, this.step, { ...base, weightDecay: hyper.weightDecay });
    if (this.hasBias) {
      const p = Float64Array.of(this.b);
      adamw(p, Float64Array.of(this.db * clip), this.mb, this.vb, this.step, { ...base, weightDecay: 0 });
      this.b = p[0];
    }
  }

  /** The head as checkpoint extra tensors: `<name>.weight` [1, C] (HF Linear layout) and `<name>.bias` [1]. */
  tensors(): { tensors: Map<string, Float32Array>; shapes: Map<string, number[]> } {
    const tensors = new Map([[`${this.name}.weight`, Float32Array.from(this.w)]]);
    const shapes = new Map([[`${this.name}.weight`, [1, this.C]]]);
    if (this.hasBias) {
      tensors.set(`${this.name}.bias`, Float32Array.of(this.b));
      shapes.set(`${this.name}.bias`, [1]);
    }
    return { tensors, shapes };
  }

  /** Restores w (and b) from checkpoint extra tensors; a missing or misshapen tensor is a clear error. */
  load(extra: ReadonlyMap<string, Float32Array> | undefined): void {
    const w = extra?.get(`${this.name}.weight`);
    if (!w) throw new Error(`the checkpoint has no "${this.name}.weight" tensor (is it a ${this.name === 'score' ? 'reward model' : 'value-head'} checkpoint?)`);
    if (w.length !== this.C) throw new Error(`"${this.name}.weight" has ${w.length} values; the model has ${this.C} channels`);
    this.w.set(w);
    if (this.hasBias) {
      const b = extra?.get(`${this.name}.bias`);
      if (!b || b.length !== 1) throw new Error(`the checkpoint has no "${this.name}.bias" tensor of one value`);
      this.b = b[0];
    }
  }

  /** True when the extra tensors hold this head (by name). */
  static presentIn(extra: ReadonlyMap<string, Float32Array> | undefined, name = 'score'): boolean {
    return extra?.has(`${name}.weight`) ?? false;
  }

  private releaseScratch(): void {
    this.scratch?.dense.release();
    this.scratch?.w.release();
    this.scratch = null;
  }

  release(): void {
    this.releaseScratch();
    this.saved = null;
  }
}

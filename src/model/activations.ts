// The GPU buffers one forward/backward pass needs for a given batch shape, allocated once per (B, T) and
// reused every step: the forward's saved activations (llm.c's ActivationTensors) and the backward's
// scratch gradients.
import type { Gpu, Tensor } from './gpu/runtime.ts';
import type { GptConfig } from './config.ts';
import { attentionStatsShape } from './kernels/attention.ts';

export interface LayerActivations {
  ln1: Tensor;
  ln1Mean: Tensor;
  ln1Rstd: Tensor;
  qkv: Tensor;
  atty: Tensor;
  attStats: Tensor;
  /** The residual stream after attention: x + attn(ln1(x)). */
  x1: Tensor;
  ln2: Tensor;
  ln2Mean: Tensor;
  ln2Rstd: Tensor;
  fch: Tensor;
  fchGelu: Tensor;
  /** The residual stream leaving the layer. */
  xOut: Tensor;
}

export class Activations {
  readonly tokens: Tensor;
  readonly targets: Tensor;
  readonly weights: Tensor;
  readonly x0: Tensor;
  readonly layers: LayerActivations[] = [];
  readonly lnf: Tensor;
  readonly lnfMean: Tensor;
  readonly lnfRstd: Tensor;
  readonly logits: Tensor;
  readonly losses: Tensor;
  /** Output of an attention or MLP projection before it joins the residual stream. */
  readonly proj: Tensor;
  // Backward scratch, shared by all layers (the backward visits one layer at a time).
  readonly dlogits: Tensor;
  readonly dres: Tensor;
  readonly dln: Tensor;
  readonly dC: Tensor;
  readonly dqkv: Tensor;
  readonly dfch: Tensor;
  readonly dfchGelu: Tensor;
  private readonly all: Tensor[] = [];

  constructor(
    private readonly gpu: Gpu,
    cfg: GptConfig,
    readonly B: number,
    readonly T: number,
  ) {
    const N = B * T;
    const C = cfg.channels;
    const V = cfg.vocabSize;
    const dims = { B, T, C, NH: cfg.heads };
    const t = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32') => {
      const x = gpu.tensor(shape, label, undefined, dtype);
      this.all.push(x);
      return x;
    };
    this.tokens = t([N], 'tokens', 'u32');
    this.targets = t([N], 'targets', 'u32');
    this.weights = t([N], 'loss weights');
    this.x0 = t([N, C], 'x0');
    for (let l = 0; l < cfg.layers; l++) {
      this.layers.push({
        ln1: t([N, C], `h${l}.ln1`),
        ln1Mean: t([N], `h${l}.ln1.mean`),
        ln1Rstd: t([N], `h${l}.ln1.rstd`),
        qkv: t([N, 3 * C], `h${l}.qkv`),
        atty: t([N, C], `h${l}.atty`),
        attStats: t(attentionStatsShape(dims), `h${l}.att_stats`),
        x1: t([N, C], `h${l}.x1`),
        ln2: t([N, C], `h${l}.ln2`),
        ln2Mean: t([N], `h${l}.ln2.mean`),
        ln2Rstd: t([N], `h${l}.ln2.rstd`),
        fch: t([N, 4 * C], `h${l}.fch`),
        fchGelu: t([N, 4 * C], `h${l}.fch_gelu`),
        xOut: t([N, C], `h${l}.x_out`),
      });
    }
    this.lnf = t([N, C], 'lnf');
    this.lnfMean = t([N], 'lnf.mean');
    this.lnfRstd = t([N], 'lnf.rstd');
    this.logits = t([N, V], 'logits');
    this.losses = t([N], 'losses');
    this.proj = t([N, C], 'proj');
    this.dlogits = t([N, V], 'dlogits');
    this.dres = t([N, C], 'd_residual');
    this.dln = t([N, C], 'd_ln');
    this.dC = t([N, C], 'd_atty');
    this.dqkv = t([N, 3 * C], 'd_qkv');
    this.dfch = t([N, 4 * C], 'd_fch');
    this.dfchGelu = t([N, 4 * C], 'd_fch_gelu');
  }

  /** Bytes of GPU memory these activations hold. */
  get bytes(): number {
    return this.all.reduce((n, t) => n + t.numel * 4, 0);
  }

  release(): void {
    for (const t of this.all) t.release();
    this.all.length = 0;
  }
}

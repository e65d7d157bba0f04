// AdamW over every parameter of a model, with global-norm gradient clipping computed on the GPU: the clip
// factor never visits the host, so a training step needs no round-trip until someone reads the loss.
import type { Gpu, Tensor } from './gpu/runtime.ts';
import type { ParamSpec } from './config.ts';
import { adamw } from './kernels/adamw.ts';
import { globalNormClip } from './kernels/reduce.ts';

export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  /** Applied to matrices only (ParamSpec.decay), as nanoGPT does. */
  weightDecay: number;
  /** Global gradient-norm clip; 0 or Infinity turns clipping off. */
  maxGradNorm: number;
}

export const DEFAULT_ADAMW: AdamWHyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 };

export class AdamW {
  step = 0;
  readonly m = new Map<string, Tensor>();
  readonly v = new Map<string, Tensor>();
  /** [clip factor, gradient norm] of the last step, on the GPU. */
  readonly norm: Tensor;

  constructor(
    private readonly gpu: Gpu,
    private readonly specs: ParamSpec[],
    params: Map<string, Tensor>,
    readonly hyper: AdamWHyper = DEFAULT_ADAMW,
  ) {
    for (const s of specs) {
      const p = params.get(s.name)!;
      this.m.set(s.name, gpu.tensor(p.shape, `adam m ${s.name}`));
      this.v.set(s.name, gpu.tensor(p.shape, `adam v ${s.name}`));
      gpu.zero(this.m.get(s.name)!);
      gpu.zero(this.v.get(s.name)!);
    }
    this.norm = gpu.tensor([2], 'grad norm');
  }

  /** Clips by the global norm and updates every parameter in place with learning rate `lr`. */
  update(params: Map<string, Tensor>, grads: Map<string, Tensor>, lr: number): void {
    this.measure(grads);
    this.apply(params, grads, lr);
  }

  /** Computes the global gradient norm and clip factor on the GPU (read them with gradNorm()). */
  measure(grads: Map<string, Tensor>): void {
    globalNormClip(this.gpu, this.norm, this.specs.map((s) => grads.get(s.name)!), this.hyper.maxGradNorm);
  }

  /** The AdamW update, scaled by the clip factor measure() left on the GPU. */
  apply(params: Map<string, Tensor>, grads: Map<string, Tensor>, lr: number): void {
    this.step++;
    for (const s of this.specs) {
      adamw(this.gpu, params.get(s.name)!, grads.get(s.name)!, this.m.get(s.name)!, this.v.get(s.name)!, {
        lr,
        beta1: this.hyper.beta1,
        beta2: this.hyper.beta2,
        eps: this.hyper.eps,
        weightDecay: s.decay ? this.hyper.weightDecay : 0,
        step: this.step,
        gradScaleBuffer: this.norm,
      });
    }
  }

  /** The gradient norm before clipping, of the last update (reads the GPU). */
  async gradNorm(): Promise<number> {
    return (await this.norm.read())[1];
  }

  release(): void {
    for (const t of [...this.m.values(), ...this.v.values(), this.norm]) t.release();
  }
}

// The pretraining loop on the GPU, shared by the Web Worker and the CLI: seeded batches, gradient
// accumulation, the LR schedule, clipping, AdamW, validation loss. A step whose loss or gradient norm is
// not finite is refused before the weights change, so the model in memory stays the last good one.
import type { Gpu, Tensor } from '../gpu/runtime.ts';
import type { Gpt } from '../gpt.ts';
import { AdamW, type AdamWHyper } from '../optimizer.ts';
import { meanLoss } from '../kernels/crossentropy.ts';
import { BatchSampler, type Split } from './batches.ts';
import { learningRate, type LrSchedule } from './schedule.ts';

export interface TrainSettings extends LrSchedule {
  batch: number;
  context: number;
  /** Micro-batches per optimiser step. */
  gradAccum: number;
  steps: number;
  evalEvery: number;
  /** Validation batches averaged per evaluation. */
  evalBatches: number;
  seed: number;
  optimizer: AdamWHyper;
}

export interface StepReport {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerS: number;
  ms: number;
}

export class DivergenceError extends Error {
  constructor(
    readonly step: number,
    what: string,
  ) {
    super(`Training diverged at step ${step}: ${what} is not a finite number. The weights from the previous step are kept; lower the learning rate and resume.`);
    this.name = 'DivergenceError';
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Trainer {
  readonly opt: AdamW;
  /** Optimiser steps taken so far (resumes continue from here). */
  step: number;
  private readonly sampler: BatchSampler;
  private readonly lossOut: Tensor[];

  constructor(
    private readonly gpu: Gpu,
    readonly model: Gpt,
    private readonly data: Split,
    readonly settings: TrainSettings,
    startStep = 0,
  ) {
    this.opt = new AdamW(gpu, model.specs, model.params, settings.optimizer);
    this.opt.step = startStep;
    this.step = startStep;
    // Offset by the start step so a resumed run does not replay the batches it already saw.
    this.sampler = new BatchSampler(data.train, settings.batch, settings.context, settings.seed + startStep * 7919);
    this.lossOut = Array.from({ length: settings.gradAccum }, (_, i) => gpu.tensor([1], `loss micro ${i}`));
  }

  lr(step = this.step): number {
    return learningRate(this.settings, step);
  }

  /** One optimiser step over gradAccum micro-batches. */
  async trainStep(): Promise<StepReport> {
    const t0 = now();
    const { batch: B, context: T, gradAccum } = this.settings;
    const N = B * T;
    const weightSum = N * gradAccum; // every position counts: the mean over all micro-batches
    const weights = new Float32Array(N).fill(1);
    this.model.zeroGrads();
    for (let i = 0; i < gradAccum; i++) {
      const b = this.sampler.next();
      const acts = this.model.forwardBackward({ ...b, weights }, weightSum);
      meanLoss(this.gpu, this.lossOut[i], acts.losses, acts.weights, { N, weightSum });
    }
    this.opt.measure(this.model.grads);
    let loss = 0;
    for (const t of this.lossOut) loss += (await t.read())[0];
    const gradNorm = await this.opt.gradNorm();
    if (!Number.isFinite(loss)) throw new DivergenceError(this.step, 'the loss');
    if (!Number.isFinite(gradNorm)) throw new DivergenceError(this.step, 'the gradient norm');
    const lr = this.lr();
    this.opt.apply(this.model.params, this.model.grads, lr);
    this.step++;
    await this.gpu.sync();
    const ms = now() - t0;
    return { step: this.step, loss, lr, gradNorm, tokensPerS: (N * gradAccum * 1000) / ms, ms };
  }

  /** Mean validation loss over the same evalBatches batches every time (so evaluations are comparable). */
  async evaluate(data: Uint32Array = this.data.val): Promise<number> {
    const { batch: B, context: T, evalBatches } = this.settings;
    const T2 = Math.min(T, data.length - 1);
    const sampler = new BatchSampler(data, B, T2, 12345);
    const N = B * T2;
    let total = 0;
    for (let i = 0; i < evalBatches; i++) {
      const b = sampler.next();
      const acts = this.model.forwardLoss({ ...b, weights: new Float32Array(N).fill(1) });
      meanLoss(this.gpu, this.lossOut[0], acts.losses, acts.weights, { N, weightSum: N });
      total += (await this.lossOut[0].read())[0];
    }
    return total / evalBatches;
  }

  release(): void {
    this.opt.release();
    for (const t of this.lossOut) t.release();
  }
}

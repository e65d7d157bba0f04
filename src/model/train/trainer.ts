// The training loop on the GPU, shared by every stage that trains with a token-level loss (pretraining,
// SFT) in the Web Worker and the CLI: batches from a source, gradient accumulation, the LR schedule,
// clipping, AdamW, held-out loss. A step whose loss or gradient norm is not finite is refused before the
// weights change, so the model in memory stays the last good one.
import type { Gpu, Tensor } from '../gpu/runtime.ts';
import type { Gpt, StepBatch } from '../gpt.ts';
import { AdamW, type AdamWHyper } from '../optimizer.ts';
import { meanLoss } from '../kernels/crossentropy.ts';
import { learningRate, type LrSchedule } from './schedule.ts';

/** Hands out the next micro-batch: [B*T] tokens and targets, and per-position loss weights (default 1). */
export type BatchSource = () => StepBatch;

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
  private readonly lossOut: Tensor[];

  constructor(
    private readonly gpu: Gpu,
    readonly model: Gpt,
    readonly settings: TrainSettings,
    private readonly source: BatchSource,
    startStep = 0,
  ) {
    this.opt = new AdamW(gpu, model.specs, model.params, settings.optimizer);
    this.opt.step = startStep;
    this.step = startStep;
    this.lossOut = Array.from({ length: settings.gradAccum }, (_, i) => gpu.tensor([1], `loss micro ${i}`));
  }

  lr(step = this.step): number {
    return learningRate(this.settings, step);
  }

  /** One optimiser step over gradAccum micro-batches. */
  async trainStep(): Promise<StepReport> {
    const t0 = now();
    const batches = Array.from({ length: this.settings.gradAccum }, () => this.source());
    // The loss is the weighted mean over all micro-batches together, so each is normalised by the total.
    const weightSum = batches.reduce((s, b) => s + weightTotal(b), 0);
    if (weightSum === 0) throw new Error('every position of this step has loss weight 0: nothing to train on');
    let tokens = 0;
    this.model.zeroGrads();
    batches.forEach((b, i) => {
      const acts = this.model.forwardBackward(b, weightSum);
      meanLoss(this.gpu, this.lossOut[i], acts.losses, acts.weights, { N: b.B * b.T, weightSum });
      tokens += b.B * b.T;
    });
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
    return { step: this.step, loss, lr, gradNorm, tokensPerS: (tokens * 1000) / ms, ms };
  }

  /** The weighted mean loss over the given batches, without training (held-out evaluation). */
  async meanLoss(batches: StepBatch[]): Promise<number> {
    let total = 0;
    let weights = 0;
    for (const b of batches) {
      const w = weightTotal(b);
      if (w === 0) continue;
      const acts = this.model.forwardLoss(b, w);
      meanLoss(this.gpu, this.lossOut[0], acts.losses, acts.weights, { N: b.B * b.T, weightSum: w });
      total += (await this.lossOut[0].read())[0] * w;
      weights += w;
    }
    return weights > 0 ? total / weights : NaN;
  }

  release(): void {
    this.opt.release();
    for (const t of this.lossOut) t.release();
  }
}

function weightTotal(b: StepBatch): number {
  if (!b.weights) return b.B * b.T;
  let s = 0;
  for (let i = 0; i < b.weights.length; i++) s += b.weights[i];
  return s;
}

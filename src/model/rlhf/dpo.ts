// Direct Preference Optimization (Rafailov et al. 2023): the policy learns from preference pairs directly,
// without a reward model or sampling:
//   loss = mean −log σ(β·[(logπ(c) − logπref(c)) − (logπ(r) − logπref(r))])
// with sequence log-probs summed over the answer's tokens (its closing <|end|> included). β is the dial:
// small β lets the policy move far from the reference, large β keeps it close.
//
// The gradient needs no new kernel. d(loss)/d(logπ(seq)) = ∓β·σ(−βΔ)/P per pair, and d(logπ)/d(logits) at
// an answer position is −(softmax − onehot), so d(loss)/d(logits) there is coef·(softmax − onehot) with
// coef = +β·σ(−βΔ)/P on chosen rows and −β·σ(−βΔ)/P on rejected rows: exactly what the weighted
// cross-entropy kernel writes with per-position weights coef (negative ones included) and weightSum 1. So
// a step is: forward with the answer mask as weights → read per-position losses → sequence log-probs →
// coefficients on the host → the cross-entropy kernel again on the same logits with weights coef·mask →
// backward from the logits. The frozen reference's log-probs are computed once up front (the policy starts
// as the reference, so no second model is kept).
// nllWeight > 0 adds RPO's per-token NLL of the chosen answers (reference/rlhf.ts dpoLoss): plain DPO can
// widen the margin by lowering both answers' probability, and on facts-tiny at β 0.1 it did — the answers got
// shorter and the facts were lost (correct 44 % → 21 %, bench/NOTES-facts.md).
import type { Gpu } from '../gpu/runtime.ts';
import { Gpt } from '../gpt.ts';
import { AdamW } from '../optimizer.ts';
import { DivergenceError } from '../train/trainer.ts';
import { learningRate } from '../train/schedule.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import type { Checkpoint, Stage } from '../checkpoint/index.ts';
import { Rng } from '../reference/random.ts';
import { dpoLoss } from '../reference/rlhf.ts';
import { encodePairs, logProbBatch, type EncodedAnswer, type EncodedPair } from './pair-batch.ts';
import { sequenceLogitsGrad, sequenceLogProbs } from './sequence-logprobs.ts';
import type { PreferencePair } from './prefs.ts';
import { DEFAULT_NLL_WEIGHT, type DpoSettings } from './dpo-settings.ts';

export { DEFAULT_NLL_WEIGHT, type DpoSettings } from './dpo-settings.ts';

export interface DpoOptions {
  /** The SFT checkpoint: the initial policy and the frozen reference. */
  policy: Checkpoint;
  name: string;
  prefs: string;
  train: PreferencePair[];
  heldOut: PreferencePair[];
  settings: DpoSettings;
  signal?: AbortSignal;
}

export type DpoEvent =
  | { type: 'step'; step: number; loss: number; rewardAccuracy: number; margin: number; nll: number; lr: number; gradNorm: number; ms: number }
  | { type: 'eval'; step: number; heldoutLoss: number; heldoutRewardAccuracy: number };

export interface DpoHistory {
  steps: { step: number; loss: number; rewardAccuracy: number; margin: number; nll: number; lr: number; gradNorm: number }[];
  evals: { step: number; heldoutLoss: number; heldoutRewardAccuracy: number }[];
}

/** Pairs per forward when only measuring log-probs. */
const EVAL_PAIRS = 16;
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

interface RefPair extends EncodedPair {
  refChosen: number;
  refRejected: number;
}

export class DpoRun {
  readonly tokenizer: Tokenizer;
  readonly model: Gpt;
  readonly opt: AdamW;
  readonly history: DpoHistory = { steps: [], evals: [] };
  readonly dropped: number;
  step = 0;
  private train: RefPair[] = [];
  private heldOut: RefPair[] = [];
  private readonly encoded: { train: EncodedPair[]; heldOut: EncodedPair[] };
  private readonly rng: Rng;

  constructor(
    gpu: Gpu,
    private readonly o: DpoOptions,
    private readonly emit: (e: DpoEvent) => void,
  ) {
    if (!o.policy.meta.tokenizer) throw new Error('the policy checkpoint has no tokenizer');
    if (!(o.settings.beta > 0)) throw new Error(`β must be > 0, got ${o.settings.beta}`);
    this.tokenizer = tokenizerFromJSON(o.policy.meta.tokenizer as never);
    const T = o.policy.config.contextLength;
    const train = encodePairs(this.tokenizer, o.train, T + 1);
    const held = encodePairs(this.tokenizer, o.heldOut, T + 1);
    if (train.pairs.length === 0) throw new Error(`no preference pair fits the model's context of ${T} tokens (${o.train.length} given)`);
    this.encoded = { train: train.pairs, heldOut: held.pairs };
    this.dropped = train.dropped + held.dropped;
    this.model = new Gpt(gpu, o.policy.config, o.policy.params);
    this.opt = new AdamW(gpu, this.model.specs, this.model.params, o.settings.optimizer);
    this.rng = new Rng(o.settings.seed);
  }

  /** RPO's η: the settings', or the default. */
  private get nllWeight(): number {
    return this.o.settings.nllWeight ?? DEFAULT_NLL_WEIGHT;
  }

  /** log π of each side of each pair under the current weights. */
  private async pairLogProbs(pairs: readonly EncodedPair[]): Promise<{ chosen: Float64Array; rejected: Float64Array }> {
    const chosen = new Float64Array(pairs.length);
    const rejected = new Float64Array(pairs.length);
    for (let i = 0; i < pairs.length; i += EVAL_PAIRS) {
      const part = pairs.slice(i, i + EVAL_PAIRS);
      const b = logProbBatch([...part.map((p) => p.chosen), ...part.map((p) => p.rejected)], this.model.config.contextLength);
      const { logp } = await sequenceLogProbs(this.model, b);
      chosen.set(logp.subarray(0, part.length), i);
      rejected.set(logp.subarray(part.length), i);
    }
    return { chosen, rejected };
  }

  /** The frozen reference's log-probs, once, before the first step (the policy still is the reference). */
  async prepare(): Promise<void> {
    if (this.train.length) return;
    const withRef = async (pairs: EncodedPair[]): Promise<RefPair[]> => {
      const lp = await this.pairLogProbs(pairs);
      return pairs.map((p, i) => ({ ...p, refChosen: lp.chosen[i], refRejected: lp.rejected[i] }));
    };
    this.train = await withRef(this.encoded.train);
    this.heldOut = await withRef(this.encoded.heldOut);
  }

  async run(): Promise<Checkpoint> {
    await this.prepare();
    const s = this.o.settings;
    while (this.step < s.steps && !this.o.signal?.aborted) {
      await this.trainStep();
      if ((s.evalEvery > 0 && this.step % s.evalEvery === 0) || this.step === s.steps) await this.evaluate();
    }
    return this.checkpoint();
  }

  async trainStep(): Promise<DpoEvent & { type: 'step' }> {
    await this.prepare();
    const t0 = now();
    const P = Math.min(this.o.settings.pairsPerStep, this.train.length);
    const pairs = Array.from({ length: P }, () => this.train[this.rng.int(this.train.length)]);
    const rows: EncodedAnswer[] = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
    const b = logProbBatch(rows, this.model.config.contextLength);
    this.model.zeroGrads();
    const { acts, logp, lengths } = await sequenceLogProbs(this.model, b);
    const d = dpoLoss(
      pairs.map((p, i) => ({ chosen: logp[i], rejected: logp[P + i], refChosen: p.refChosen, refRejected: p.refRejected, chosenTokens: lengths[i] })),
      this.o.settings.beta,
      this.nllWeight,
    );
    if (!Number.isFinite(d.loss)) throw new DivergenceError(this.step, 'the loss');
    // d(loss)/d(logits) = −d(loss)/d(logπ)·(softmax − onehot): the coefficient is −d(loss)/d(logπ(row)).
    sequenceLogitsGrad(this.model, acts, b, [...d.dChosen, ...d.dRejected].map((g) => -g));
    this.model.backwardFromLogits(acts);
    this.opt.measure(this.model.grads);
    const gradNorm = await this.opt.gradNorm();
    if (!Number.isFinite(gradNorm)) throw new DivergenceError(this.step, 'the gradient norm');
    const lr = learningRate(this.o.settings, this.step);
    this.opt.apply(this.model.params, this.model.grads, lr);
    this.step++;
    await this.model.gpu.sync();
    const margin = d.margins.reduce((a, m) => a + m, 0) / P;
    const e = { type: 'step' as const, step: this.step, loss: d.loss, rewardAccuracy: d.rewardAccuracy, margin, nll: d.nll, lr, gradNorm, ms: now() - t0 };
    this.history.steps.push({ step: e.step, loss: e.loss, rewardAccuracy: e.rewardAccuracy, margin, nll: d.nll, lr, gradNorm });
    this.emit(e);
    return e;
  }

  /** DPO loss and implicit-reward accuracy on the held-out pairs. */
  async evaluate(): Promise<DpoHistory['evals'][number]> {
    await this.prepare();
    let e = { step: this.step, heldoutLoss: NaN, heldoutRewardAccuracy: NaN };
    if (this.heldOut.length) {
      const lp = await this.pairLogProbs(this.heldOut);
      const d = dpoLoss(this.heldOut.map((p, i) => ({ chosen: lp.chosen[i], rejected: lp.rejected[i], refChosen: p.refChosen, refRejected: p.refRejected })), this.o.settings.beta);
      e = { step: this.step, heldoutLoss: d.loss, heldoutRewardAccuracy: d.rewardAccuracy };
    }
    this.history.evals.push(e);
    this.emit({ type: 'eval', ...e });
    return e;
  }

  async checkpoint(): Promise<Checkpoint> {
    const base = this.o.policy.meta;
    const createdAt = new Date().toISOString();
    const stage: Stage = 'dpo';
    return {
      config: this.o.policy.config,
      params: await this.model.readParams(),
      meta: {
        stage,
        name: this.o.name,
        createdAt,
        lineage: [...base.lineage, { stage, name: this.o.name, parent: base.name, createdAt, prefs: this.o.prefs, beta: this.o.settings.beta, nllWeight: this.nllWeight }],
        tokenizer: base.tokenizer,
        history: this.history,
        train: { step: this.step, prefs: this.o.prefs, beta: this.o.settings.beta, settings: this.o.settings },
      },
    };
  }

  release(): void {
    this.opt.release();
    this.model.release();
  }
}

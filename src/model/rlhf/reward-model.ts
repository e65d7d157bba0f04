// The reward model (InstructGPT §3.5): the SFT model's trunk with a scalar head (`score`, no bias) on the
// <|end|> that closes the answer, trained on preference pairs with the Bradley–Terry loss
//   loss = mean −log σ(r(prompt, chosen) − r(prompt, rejected)).
// Chosen and rejected sequences of a step go through ONE forward (2P rows); the head's float64 gradient
// d(loss)/d(r) is turned into d(lnf) on the GPU and backpropagated from the final LayerNorm. The trunk steps
// with the shared AdamW (global-norm clipping on the GPU), the head with its own; a non-finite loss or
// gradient norm is refused before any weight changes (DivergenceError, as the Trainer does).
import type { Gpu } from '../gpu/runtime.ts';
import { Gpt } from '../gpt.ts';
import { AdamW, type AdamWHyper } from '../optimizer.ts';
import { DivergenceError } from '../train/trainer.ts';
import { learningRate, type LrSchedule } from '../train/schedule.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import { Rng } from '../reference/random.ts';
import { bradleyTerry } from '../reference/rlhf.ts';
import { ScalarHead } from './scalar-head.ts';
import { encodePairs, sequenceBatch, type EncodedPair } from './pair-batch.ts';
import type { PreferencePair } from './prefs.ts';

export interface RewardSettings extends LrSchedule {
  steps: number;
  /** Pairs per step (the batch has twice as many rows). */
  pairsPerStep: number;
  evalEvery: number;
  seed: number;
  optimizer: AdamWHyper;
}

export interface RewardModelOptions {
  /** The SFT checkpoint the reward model starts from. */
  sft: Checkpoint;
  name: string;
  /** Where the preferences came from (a file name, labeler:NAME), for the lineage. */
  prefs: string;
  train: PreferencePair[];
  heldOut: PreferencePair[];
  settings: RewardSettings;
  signal?: AbortSignal;
}

export type RewardEvent =
  | { type: 'step'; step: number; loss: number; accuracy: number; lr: number; gradNorm: number; ms: number }
  | { type: 'eval'; step: number; heldoutLoss: number; heldoutAccuracy: number };

export interface RewardHistory {
  steps: { step: number; loss: number; accuracy: number; lr: number; gradNorm: number }[];
  evals: { step: number; heldoutLoss: number; heldoutAccuracy: number }[];
}

/** Rows per forward when only scoring. */
const SCORE_ROWS = 32;

/** r(sequence) for chat-encoded sequences (each ≤ context ids, ending with the answer's <|end|>). */
export async function scoreSequences(model: Gpt, head: ScalarHead, seqs: readonly (readonly number[])[]): Promise<Float64Array> {
  const out = new Float64Array(seqs.length);
  for (let i = 0; i < seqs.length; i += SCORE_ROWS) {
    const b = sequenceBatch(seqs.slice(i, i + SCORE_ROWS), model.config.contextLength);
    const a = model.forward(b.tokens, b.B, b.T);
    out.set(await head.forward(a, b.last), i);
  }
  return out;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class RewardModelRun {
  readonly tokenizer: Tokenizer;
  readonly model: Gpt;
  readonly head: ScalarHead;
  readonly opt: AdamW;
  readonly history: RewardHistory = { steps: [], evals: [] };
  readonly train: EncodedPair[];
  readonly heldOut: EncodedPair[];
  /** Pairs left out because an answer does not fit the context. */
  readonly dropped: number;
  step = 0;
  private readonly rng: Rng;

  constructor(
    gpu: Gpu,
    private readonly o: RewardModelOptions,
    private readonly emit: (e: RewardEvent) => void,
  ) {
    if (!o.sft.meta.tokenizer) throw new Error('the SFT checkpoint has no tokenizer');
    this.tokenizer = tokenizerFromJSON(o.sft.meta.tokenizer as never);
    const T = o.sft.config.contextLength;
    const train = encodePairs(this.tokenizer, o.train, T);
    const held = encodePairs(this.tokenizer, o.heldOut, T);
    this.train = train.pairs;
    this.heldOut = held.pairs;
    this.dropped = train.dropped + held.dropped;
    if (this.train.length === 0) throw new Error(`no preference pair fits the model's context of ${T} tokens (${o.train.length} given)`);
    this.model = new Gpt(gpu, o.sft.config, o.sft.params);
    this.head = new ScalarHead(o.sft.config.channels, { name: 'score', seed: o.settings.seed });
    this.opt = new AdamW(gpu, this.model.specs, this.model.params, o.settings.optimizer);
    this.rng = new Rng(o.settings.seed);
  }

  /** Trains for settings.steps, evaluating every evalEvery steps and at the end; returns the reward checkpoint. */
  async run(): Promise<Checkpoint> {
    const s = this.o.settings;
    while (this.step < s.steps && !this.o.signal?.aborted) {
      await this.trainStep();
      if ((s.evalEvery > 0 && this.step % s.evalEvery === 0) || this.step === s.steps) await this.evaluate();
    }
    return this.checkpoint();
  }

  async trainStep(): Promise<RewardEvent & { type: 'step' }> {
    const t0 = now();
    const P = Math.min(this.o.settings.pairsPerStep, this.train.length);
    const pairs = Array.from({ length: P }, () => this.train[this.rng.int(this.train.length)]);
    const b = sequenceBatch([...pairs.map((p) => p.chosen.ids), ...pairs.map((p) => p.rejected.ids)], this.model.config.contextLength);
    this.model.zeroGrads();
    this.head.zeroGrad();
    const a = this.model.forward(b.tokens, b.B, b.T);
    const r = await this.head.forward(a, b.last);
    const bt = bradleyTerry(r.subarray(0, P), r.subarray(P));
    if (!Number.isFinite(bt.loss)) throw new DivergenceError(this.step, 'the loss');
    this.head.backward(a, b.last, [...bt.dChosen, ...bt.dRejected]);
    this.model.backwardFromFinalNorm(a);
    this.opt.measure(this.model.grads);
    const gradNorm = await this.opt.gradNorm();
    if (!Number.isFinite(gradNorm) || !Number.isFinite(this.head.gradNorm())) throw new DivergenceError(this.step, 'the gradient norm');
    const lr = learningRate(this.o.settings, this.step);
    this.opt.apply(this.model.params, this.model.grads, lr);
    this.head.update(lr, this.o.settings.optimizer);
    this.step++;
    await this.model.gpu.sync();
    const e = { type: 'step' as const, step: this.step, loss: bt.loss, accuracy: bt.accuracy, lr, gradNorm, ms: now() - t0 };
    this.history.steps.push({ step: e.step, loss: e.loss, accuracy: e.accuracy, lr, gradNorm });
    this.emit(e);
    return e;
  }

  /** Bradley–Terry loss and pairwise accuracy (r_chosen > r_rejected) on the given encoded pairs. */
  async pairAccuracy(pairs: readonly EncodedPair[]): Promise<{ loss: number; accuracy: number }> {
    if (pairs.length === 0) return { loss: NaN, accuracy: NaN };
    const c = await scoreSequences(this.model, this.head, pairs.map((p) => p.chosen.ids));
    const r = await scoreSequences(this.model, this.head, pairs.map((p) => p.rejected.ids));
    const bt = bradleyTerry(c, r);
    return { loss: bt.loss, accuracy: bt.accuracy };
  }

  async evaluate(): Promise<RewardHistory['evals'][number]> {
    const { loss, accuracy } = await this.pairAccuracy(this.heldOut);
    const e = { step: this.step, heldoutLoss: loss, heldoutAccuracy: accuracy };
    this.history.evals.push(e);
    this.emit({ type: 'eval', ...e });
    return e;
  }

  async checkpoint(): Promise<Checkpoint> {
    const base = this.o.sft.meta;
    const { tensors, shapes } = this.head.tensors();
    const createdAt = new Date().toISOString();
    return {
      config: this.o.sft.config,
      params: await this.model.readParams(),
      extraTensors: tensors,
      extraShapes: shapes,
      meta: {
        stage: 'reward',
        name: this.o.name,
        createdAt,
        lineage: [...base.lineage, { stage: 'reward', name: this.o.name, parent: base.name, createdAt, prefs: this.o.prefs }],
        tokenizer: base.tokenizer,
        history: this.history,
        train: { step: this.step, prefs: this.o.prefs, pairs: this.train.length, heldOutPairs: this.heldOut.length, settings: this.o.settings },
      },
    };
  }

  release(): void {
    this.opt.release();
    this.head.release();
    this.model.release();
  }
}

/** A trained reward model loaded from a `reward` checkpoint: the trunk and its `score` head. */
export function loadRewardModel(gpu: Gpu, ckpt: Checkpoint): { model: Gpt; head: ScalarHead } {
  if (ckpt.meta.stage !== 'reward') throw new Error(`"${ckpt.meta.name}" is a ${ckpt.meta.stage} checkpoint, not a reward model`);
  const head = new ScalarHead(ckpt.config.channels, { name: 'score' });
  head.load(ckpt.extraTensors);
  return { model: new Gpt(gpu, ckpt.config, ckpt.params), head };
}

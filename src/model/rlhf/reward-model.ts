// The reward model (InstructGPT §3.5): the SFT model's trunk with a scalar head (`score`, no bias) on the
// <|end|> that closes the answer, trained on preference pairs with the Bradley–Terry loss
//   loss = mean −log σ(r(prompt, chosen) − r(prompt, rejected)).
// Its score adds a likelihood term and a length term to the head:
//   r(x, y) = w·h_end + α·(1/|y|)·Σ_t log p(y_t | x, y_<t) + λ·|y|
// where p is the reward model's own LM head (the SFT model's at the start), α a learned scale
// (`score.likelihood_scale`; α = 0 is the plain InstructGPT head) and λ a learned weight per answer token
// (`score.length_weight`, starting at 0). Why α: on facts-tiny the head alone fits its training pairs and
// stays at chance on held-out prompts (42–57 %), while the SFT model's mean answer log-likelihood alone ranks
// the same held-out pairs 76 % right — it knows which fact is correct (bench/NOTES-facts.md); the average
// log-likelihood as a learned reward is SimPO's (Meng et al. 2024). Why λ: a labeler's taste for length
// (terse, rambling) is the preference that carries across questions, and the head at <|end|> of this small
// model did not learn it (its share of the score's spread within a prompt: 0.04 of 0.51); one learned number
// does, and it shows what the rankings taught — real reward models are known to learn a length bias too.
// Chosen and rejected sequences of a step go through ONE forward (2P rows). d(loss)/d(r) reaches the trunk two
// ways: through the head (d(lnf) = dr·w at each <|end|>) and through the LM head (the weighted cross-entropy
// kernel with per-position weights −dr·α/|y|), summed in d(lnf) and backpropagated from the final LayerNorm.
// The trunk steps with the shared AdamW (global-norm clipping on the GPU), the head and α with their own; a
// non-finite loss or gradient norm is refused before any weight changes (DivergenceError, as the Trainer does).
import type { Gpu } from '../gpu/runtime.ts';
import { Gpt } from '../gpt.ts';
import { AdamW, type AdamWHyper } from '../optimizer.ts';
import { DivergenceError } from '../train/trainer.ts';
import { learningRate, type LrSchedule } from '../train/schedule.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import { Rng } from '../reference/random.ts';
import { bradleyTerry } from '../reference/rlhf.ts';
import { adamw } from '../reference/ops.ts';
import type { Activations } from '../activations.ts';
import { ScalarHead } from './scalar-head.ts';
import { encodePairs, sequenceBatch, type EncodedPair, type SequenceBatch } from './pair-batch.ts';
import { answerLengths, sequenceLogitsGrad, sequenceLogProbs } from './sequence-logprobs.ts';
import type { PreferencePair } from './prefs.ts';

export interface RewardSettings extends LrSchedule {
  steps: number;
  /** Pairs per step (the batch has twice as many rows). */
  pairsPerStep: number;
  evalEvery: number;
  seed: number;
  optimizer: AdamWHyper;
  /** α at the start: the weight of the mean answer log-likelihood in the score (0: the head alone, α fixed). */
  likelihoodScale?: number;
  /** The score head's learning rate as a multiple of the trunk's (default 1). */
  headLrScale?: number;
  /** λ at the start: the score's weight per answer token (default 0). */
  lengthWeight?: number;
  /** Learn λ (default true); false keeps it at its start. */
  learnLength?: boolean;
  /**
   * α's and λ's learning rate (default DEFAULT_SCALAR_LR): AdamW moves a parameter by about lr per step, so at
   * the trunk's 3e-5 two numbers of order 1 would stay where they start.
   */
  scalarLr?: number;
}

/** α's default starting value: the SFT model's log-likelihood counts from the first step. */
export const DEFAULT_LIKELIHOOD_SCALE = 1;
/** α's and λ's peak learning rate (follows the trunk's schedule). */
export const DEFAULT_SCALAR_LR = 1e-2;

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

/** A reward model ready to score: trunk (with its LM head), `score` head, likelihood scale α, length weight λ. */
export interface RewardModel {
  model: Gpt;
  head: ScalarHead;
  likelihoodScale: number;
  lengthWeight: number;
}

/** One forward's scores: r = head + α·meanLogp + λ·length, with the parts, and what the backward needs. */
interface ScoredBatch {
  acts: Activations;
  batch: SequenceBatch;
  head: Float64Array;
  /** Mean log-likelihood of each row's answer (zeros when α = 0: not computed). */
  meanLogp: Float64Array;
  /** Tokens in each row's answer, its closing <|end|> included. */
  answerLengths: Float64Array;
  /** log p of each answer token in order (empty when α = 0). */
  tokenLogp: Float64Array[];
  total: Float64Array;
}

async function scoreBatch(rm: RewardModel, seqs: readonly (readonly number[])[]): Promise<ScoredBatch> {
  const batch = sequenceBatch(seqs, rm.model.config.contextLength);
  let acts: Activations;
  let meanLogp: Float64Array = new Float64Array(batch.B);
  let tokenLogp: Float64Array[] = seqs.map(() => new Float64Array(0));
  const lengths = answerLengths(batch);
  if (rm.likelihoodScale !== 0) {
    const lp = await sequenceLogProbs(rm.model, batch);
    acts = lp.acts;
    tokenLogp = lp.tokenLogp;
    meanLogp = lp.logp.map((l, r) => (lengths[r] ? l / lengths[r] : 0));
  } else {
    acts = rm.model.forward(batch.tokens, batch.B, batch.T); // the head alone needs no logits' loss
  }
  const head = await rm.head.forward(acts, batch.last);
  const total = head.map((h, r) => h + rm.likelihoodScale * meanLogp[r] + rm.lengthWeight * lengths[r]);
  return { acts, batch, head, meanLogp, answerLengths: lengths, tokenLogp, total };
}

/** A reward score and its two parts, for an inspector to show where it came from. */
export interface RewardParts {
  total: number;
  head: number;
  /** The answer's mean log-likelihood under the reward model's LM head (before the α scale). */
  meanLogp: number;
  /** The answer's length in tokens, its closing <|end|> included (before the λ weight). */
  length: number;
  /** log p of each answer token under the reward model's LM head, in order (empty when α = 0). */
  tokenLogp: Float64Array;
}

/** r(sequence) with its parts, for chat-encoded sequences (each ≤ context ids, ending with the answer's <|end|>). */
export async function scoreParts(rm: RewardModel, seqs: readonly (readonly number[])[]): Promise<RewardParts[]> {
  const out: RewardParts[] = [];
  for (let i = 0; i < seqs.length; i += SCORE_ROWS) {
    const s = await scoreBatch(rm, seqs.slice(i, i + SCORE_ROWS));
    s.total.forEach((total, r) => out.push({ total, head: s.head[r], meanLogp: s.meanLogp[r], length: s.answerLengths[r], tokenLogp: s.tokenLogp[r] }));
  }
  return out;
}

/** r(sequence) for chat-encoded sequences (each ≤ context ids, ending with the answer's <|end|>). */
export async function scoreSequences(rm: RewardModel, seqs: readonly (readonly number[])[]): Promise<Float64Array> {
  return Float64Array.from(await scoreParts(rm, seqs), (p) => p.total);
}

/** α or λ and its AdamW state: one learned scalar beside the head. */
class LearnedScalar {
  readonly value: Float64Array;
  grad = 0;
  private readonly m = new Float64Array(1);
  private readonly v = new Float64Array(1);
  private step = 0;
  constructor(initial: number, readonly learned: boolean) {
    this.value = Float64Array.of(initial);
  }
  update(lr: number, hyper: AdamWHyper): void {
    if (!this.learned) return;
    this.step++;
    adamw(this.value, Float64Array.of(this.grad), this.m, this.v, this.step, { lr, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps, weightDecay: 0 });
  }
}

/** The extra tensors that hold α and λ in a reward checkpoint (absent in older ones: 0). */
const SCALE_TENSOR = 'score.likelihood_scale';
const LENGTH_TENSOR = 'score.length_weight';

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
  private readonly scale: LearnedScalar;
  private readonly length: LearnedScalar;

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
    const alpha = o.settings.likelihoodScale ?? DEFAULT_LIKELIHOOD_SCALE;
    if (!Number.isFinite(alpha) || alpha < 0) throw new Error(`the likelihood scale must be ≥ 0, got ${alpha}`);
    this.scale = new LearnedScalar(alpha, alpha > 0);
    const lambda = o.settings.lengthWeight ?? 0;
    if (!Number.isFinite(lambda)) throw new Error(`the length weight must be finite, got ${lambda}`);
    this.length = new LearnedScalar(lambda, o.settings.learnLength ?? true);
  }

  /** The model as it scores now (trunk, head, current α and λ). */
  get rm(): RewardModel {
    return { model: this.model, head: this.head, likelihoodScale: this.scale.value[0], lengthWeight: this.length.value[0] };
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
    const bt = await this.backward(pairs);
    this.opt.measure(this.model.grads);
    const gradNorm = await this.opt.gradNorm();
    if (!Number.isFinite(gradNorm) || !Number.isFinite(this.head.gradNorm())) throw new DivergenceError(this.step, 'the gradient norm');
    const lr = learningRate(this.o.settings, this.step);
    this.opt.apply(this.model.params, this.model.grads, lr);
    this.head.update(lr * (this.o.settings.headLrScale ?? 1), this.o.settings.optimizer);
    // α and λ follow the trunk's schedule (warm-up, decay) at their own peak
    const scalarLr = (this.o.settings.maxLr > 0 ? lr / this.o.settings.maxLr : 0) * (this.o.settings.scalarLr ?? DEFAULT_SCALAR_LR);
    this.scale.update(scalarLr, this.o.settings.optimizer);
    this.length.update(scalarLr, this.o.settings.optimizer);
    this.step++;
    await this.model.gpu.sync();
    const e = { type: 'step' as const, step: this.step, loss: bt.loss, accuracy: bt.accuracy, lr, gradNorm, ms: now() - t0 };
    this.history.steps.push({ step: e.step, loss: e.loss, accuracy: e.accuracy, lr, gradNorm });
    this.emit(e);
    return e;
  }

  /**
   * The Bradley–Terry loss of the pairs and its gradient: the trunk's in model.grads, the head's in head.dw,
   * α's in likelihoodScaleGrad, λ's in lengthWeightGrad (all overwritten). A non-finite loss throws before anything is written.
   */
  async backward(pairs: readonly EncodedPair[]): Promise<{ loss: number; accuracy: number }> {
    const P = pairs.length;
    this.model.zeroGrads();
    this.head.zeroGrad();
    const s = await scoreBatch(this.rm, [...pairs.map((p) => p.chosen.ids), ...pairs.map((p) => p.rejected.ids)]);
    const bt = bradleyTerry(s.total.subarray(0, P), s.total.subarray(P));
    if (!Number.isFinite(bt.loss)) throw new DivergenceError(this.step, 'the loss');
    const dr = [...bt.dChosen, ...bt.dRejected];
    const alpha = this.rm.likelihoodScale;
    if (alpha !== 0) {
      // d(loss)/d(logits) = dr·α/|y|·d(Σ log p)/d(logits) = (−dr·α/|y|)·(softmax − onehot) on the answer's targets
      sequenceLogitsGrad(this.model, s.acts, s.batch, dr.map((d, r) => (-d * alpha) / Math.max(1, s.answerLengths[r])));
      this.model.lmHeadBackward(s.acts);
    }
    this.scale.grad = dr.reduce((acc, d, r) => acc + d * s.meanLogp[r], 0);
    this.length.grad = dr.reduce((acc, d, r) => acc + d * s.answerLengths[r], 0);
    this.head.backward(s.acts, s.batch.last, dr, { accumulate: alpha !== 0 });
    this.model.backwardFromFinalNorm(s.acts);
    return bt;
  }

  /** d(loss)/dα of the last backward (0 when α is fixed at 0). */
  get likelihoodScaleGrad(): number {
    return this.scale.grad;
  }

  /** d(loss)/dλ of the last backward. */
  get lengthWeightGrad(): number {
    return this.length.grad;
  }

  /** Bradley–Terry loss and pairwise accuracy (r_chosen > r_rejected) on the given encoded pairs. */
  async pairAccuracy(pairs: readonly EncodedPair[]): Promise<{ loss: number; accuracy: number }> {
    if (pairs.length === 0) return { loss: NaN, accuracy: NaN };
    const c = await scoreSequences(this.rm, pairs.map((p) => p.chosen.ids));
    const r = await scoreSequences(this.rm, pairs.map((p) => p.rejected.ids));
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
    tensors.set(SCALE_TENSOR, Float32Array.of(this.scale.value[0]));
    shapes.set(SCALE_TENSOR, [1]);
    tensors.set(LENGTH_TENSOR, Float32Array.of(this.length.value[0]));
    shapes.set(LENGTH_TENSOR, [1]);
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

/** A trained reward model loaded from a `reward` checkpoint: the trunk, its `score` head, α and λ. */
export function loadRewardModel(gpu: Gpu, ckpt: Checkpoint): RewardModel {
  if (ckpt.meta.stage !== 'reward') throw new Error(`"${ckpt.meta.name}" is a ${ckpt.meta.stage} checkpoint, not a reward model`);
  const head = new ScalarHead(ckpt.config.channels, { name: 'score' });
  head.load(ckpt.extraTensors);
  const scalar = (name: string) => {
    const t = ckpt.extraTensors?.get(name);
    if (t && (t.length !== 1 || !Number.isFinite(t[0]))) throw new Error(`"${name}" must be one finite number`);
    return t ? t[0] : 0;
  };
  return { model: new Gpt(gpu, ckpt.config, ckpt.params), head, likelihoodScale: scalar(SCALE_TENSOR), lengthWeight: scalar(LENGTH_TENSOR) };
}

/** Frees a loaded reward model's GPU buffers. */
export function releaseRewardModel(rm: RewardModel): void {
  rm.head.release();
  rm.model.release();
}

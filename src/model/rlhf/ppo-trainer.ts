// PPO as InstructGPT runs it (Ouyang et al. 2022, after Stiennon et al. 2020 and Ziegler et al. 2019): the
// SFT model is the initial policy π and, frozen, the reference π_ref; each step
//   1. samples samplesPerPrompt answers to each of batch / samplesPerPrompt prompts from π (rollout.ts),
//   2. scores each whole answer with the reward model (a RewardFn) and, with several answers per prompt,
//      subtracts the mean score of the prompt's other answers (RLOO's baseline; see samplesPerPrompt),
//   3. shapes the reward per token: r_t = −β·(logπ(a_t) − logπ_ref(a_t)), plus the score at the last token
//      (or, with denseReward, the score's per-token parts at their tokens and the rest at the last one),
//   4. estimates advantages with GAE (γ, λ) from a value head (TRL's v_head: a ScalarHead with a bias on the
//      policy's own final hidden state, at every action row),
//   5. runs several epochs of minibatch updates of the clipped surrogate + c_v·clipped value loss; the trunk
//      through the shared AdamW, the value head through its own.
// The per-token scalars (KL, shaping, GAE, the clipped losses and their gradients) are float64 on the CPU
// (reference/rlhf.ts); the GPU computes log-probs and takes c_t·(softmax − onehot) back (ppo-logprobs.ts).
import type { Gpu } from '../gpu/runtime.ts';
import { Gpt } from '../gpt.ts';
import { AdamW } from '../optimizer.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import { Rng } from '../reference/random.ts';
import { clippedSurrogate, clippedValueLoss, gae, klPerToken, leaveOneOutScores, shapeRewards, whiten } from '../reference/rlhf.ts';
import { DivergenceError } from '../train/trainer.ts';
import { ScalarHead } from './scalar-head.ts';
import { answerEntropies, answerLogprobs, policyBackward } from './ppo-logprobs.ts';
import { packRollouts, sampleRollouts, type Rollout } from './rollout.ts';
import type { PpoSettings } from './ppo-settings.ts';

export { DEFAULT_PPO, type PpoSettings } from './ppo-settings.ts';

/** The reward of each rollout: its whole answer's score and, optionally, the parts of it single tokens earned. */
export interface RolloutRewards {
  scores: number[];
  /**
   * Per rollout (an entry may be absent): the part of its score earned at each answer token, in order; the
   * rest of the score arrives at the last token. Used when PpoSettings.denseReward is on.
   */
  perToken?: (ArrayLike<number> | undefined)[];
}

/** The reward model's (or a labeler's) reward of each rollout (prompt + answer). */
export type RewardFn = (rollouts: readonly Rollout[]) => Promise<RolloutRewards>;

export interface PpoStepReport {
  step: number;
  /** Mean reward-model score of the step's answers. */
  reward: number;
  /**
   * The judge's mean score of the same answers (a simulated labeler that does not train the policy): the
   * "gold" reward the reward model stands in for, so a chart can show the proxy climbing while the gold
   * score does not — reward hacking (Gao et al. 2022). Absent without a judge.
   */
  judge?: number;
  /** Mean over answers of Σ_t (logπ − logπ_ref): the sequence KL estimate to the SFT model. */
  kl: number;
  /** Mean per-token entropy of π on the sampled answers. */
  entropy: number;
  /** Means over the step's gradient steps. */
  policyLoss: number;
  valueLoss: number;
  clipFraction: number;
  approxKl: number;
  gradNorm: number;
  /** Mean answer length in tokens, and the share of answers that ended with <|end|>. */
  answerTokens: number;
  stopped: number;
  ms: number;
}

export type PpoEvent = { type: 'step' } & PpoStepReport;

/** One PPO batch after scoring: per rollout its slice of the flat per-token arrays. */
interface ScoredBatch {
  rollouts: Rollout[];
  logpOld: Float64Array;
  valuesOld: Float64Array;
  advantages: Float64Array;
  returns: Float64Array;
  /** Start of each rollout's tokens in the flat arrays. */
  offsets: number[];
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class PpoTrainer {
  readonly policy: Gpt;
  /** The frozen SFT model the KL penalty is measured against; never updated. */
  readonly reference: Gpt;
  readonly valueHead: ScalarHead;
  readonly opt: AdamW;
  readonly settings: PpoSettings;
  step = 0;
  readonly history: PpoStepReport[] = [];
  private readonly rng: Rng;
  private order: number[] = [];

  constructor(
    gpu: Gpu,
    readonly init: Checkpoint,
    private readonly prompts: readonly number[][],
    private readonly reward: RewardFn,
    settings: PpoSettings,
    /** Scores the rollouts for the report only (PpoStepReport.judge); never part of the objective. */
    private readonly judge?: RewardFn,
  ) {
    if (prompts.length === 0) throw new Error('PPO needs at least one prompt');
    if (settings.batch < 1 || settings.miniBatch < 1 || settings.epochs < 1 || settings.samplesPerPrompt < 1) {
      throw new Error('PPO batch, minibatch, epochs and samples per prompt must be ≥ 1');
    }
    // a minibatch larger than the batch is the whole batch
    this.settings = { ...settings, miniBatch: Math.min(settings.miniBatch, settings.batch) };
    this.policy = new Gpt(gpu, init.config, init.params);
    this.reference = new Gpt(gpu, init.config, init.params);
    this.valueHead = new ScalarHead(init.config.channels, { bias: true, name: 'v_head', seed: settings.seed });
    if (ScalarHead.presentIn(init.extraTensors, 'v_head')) this.valueHead.load(init.extraTensors);
    this.opt = new AdamW(gpu, this.policy.specs, this.policy.params, settings.optimizer);
    this.rng = new Rng(settings.seed);
  }

  /** The next `batch` prompts, each samplesPerPrompt times in a row: passes over a shuffled order, reshuffled each pass. */
  private nextPrompts(): number[][] {
    const out: number[][] = [];
    const k = this.settings.samplesPerPrompt;
    while (out.length < this.settings.batch) {
      if (this.order.length === 0) {
        this.order = this.prompts.map((_, i) => i);
        for (let i = this.order.length - 1; i > 0; i--) {
          const j = this.rng.int(i + 1);
          [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
        }
      }
      const p = this.prompts[this.order.pop()!];
      for (let i = 0; i < k && out.length < this.settings.batch; i++) out.push(p);
    }
    return out;
  }

  /** One PPO step: rollouts from π on the next prompts, their scores, then trainOn. */
  async trainStep(): Promise<PpoStepReport> {
    const t0 = now();
    const s = this.settings;
    const rollouts = await sampleRollouts(this.policy, this.nextPrompts(), { maxTokens: s.maxAnswerTokens, seed: s.seed * 1000003 + this.step });
    return this.trainOn(rollouts, await this.reward(rollouts), t0);
  }

  /**
   * The update half of a step on given rollouts and their scores: advantages, then epochs × minibatches.
   * PPO assumes the rollouts were sampled from the current π (trainStep does that); tests hand in fixed ones.
   */
  async trainOn(rollouts: Rollout[], rewards: RolloutRewards, t0 = now()): Promise<PpoStepReport> {
    const { scores, perToken } = rewards;
    if (scores.length !== rollouts.length || scores.some((x) => !Number.isFinite(x))) throw new Error('the reward model returned a missing or non-finite score');
    if (perToken?.some((d, i) => d !== undefined && (d.length > rollouts[i].answer.length || Array.from(d).some((x) => !Number.isFinite(x))))) {
      throw new Error('the reward model returned per-token rewards that do not fit the answers');
    }
    const { batch, kl, entropy } = await this.score(rollouts, scores, this.settings.denseReward ? perToken : undefined);
    const judged = this.judge ? mean((await this.judge(rollouts)).scores) : undefined;
    const upd = await this.update(batch);
    this.step++;
    const report: PpoStepReport = {
      step: this.step,
      reward: mean(scores),
      ...(judged !== undefined ? { judge: judged } : {}),
      kl,
      entropy,
      ...upd,
      answerTokens: mean(rollouts.map((r) => r.answer.length)),
      stopped: mean(rollouts.map((r) => (r.stopped ? 1 : 0))),
      ms: now() - t0,
    };
    this.history.push(report);
    return report;
  }

  /** Old log-probs, reference log-probs, values, shaped rewards and GAE for a batch of scored rollouts. */
  private async score(rollouts: Rollout[], scores: number[], perToken: RolloutRewards['perToken']): Promise<{ batch: ScoredBatch; kl: number; entropy: number }> {
    const s = this.settings;
    const packed = packRollouts(rollouts, this.policy.config.contextLength);
    const { acts, logp: logpOld } = await answerLogprobs(this.policy, packed);
    const valuesOld = await this.valueHead.forward(acts, packed.positions);
    const ent = await answerEntropies(acts, packed, this.policy.config.vocabSize);
    const { logp: logpRef } = await answerLogprobs(this.reference, packed);
    const klTok = klPerToken(logpOld, logpRef);
    const centred = leaveOneOutScores(scores, rollouts.map((r) => r.prompt.join(',')));
    const advantages = new Float64Array(logpOld.length);
    const returns = new Float64Array(logpOld.length);
    const seqKl: number[] = [];
    packed.spans.forEach(({ start, end }, i) => {
      const k = klTok.subarray(start, end);
      seqKl.push(k.reduce((a, b) => a + b, 0));
      const g = gae(shapeRewards(k, centred[i], s.klBeta, perToken?.[i]), valuesOld.subarray(start, end), s.gamma, s.lambda);
      advantages.set(g.advantages, start);
      returns.set(g.returns, start);
    });
    const adv = s.whitenAdvantages ? whiten(advantages) : advantages;
    return {
      batch: { rollouts, logpOld, valuesOld, advantages: adv, returns, offsets: packed.spans.map((x) => x.start) },
      kl: mean(seqKl),
      entropy: mean(ent),
    };
  }

  /** Epochs of minibatch gradient steps on one scored batch. */
  private async update(b: ScoredBatch): Promise<Pick<PpoStepReport, 'policyLoss' | 'valueLoss' | 'clipFraction' | 'approxKl' | 'gradNorm'>> {
    const s = this.settings;
    const sums = { policyLoss: 0, valueLoss: 0, clipFraction: 0, approxKl: 0, gradNorm: 0 };
    let n = 0;
    const idx = b.rollouts.map((_, i) => i);
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      for (let i = idx.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      for (let m = 0; m < idx.length; m += s.miniBatch) {
        const r = await this.minibatchStep(b, idx.slice(m, m + s.miniBatch));
        for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += r[k];
        n++;
      }
    }
    for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] /= n;
    return sums;
  }

  private async minibatchStep(b: ScoredBatch, which: number[]) {
    const s = this.settings;
    const rollouts = which.map((i) => b.rollouts[i]);
    // The minibatch's slices of the flat per-token arrays, in its own rollout order.
    const pick = (x: Float64Array) => {
      const out: number[] = [];
      for (const i of which) {
        const start = b.offsets[i];
        for (let k = 0; k < b.rollouts[i].answer.length; k++) out.push(x[start + k]);
      }
      return out;
    };
    const packed = packRollouts(rollouts, this.policy.config.contextLength);
    const { acts, logp } = await answerLogprobs(this.policy, packed);
    const values = await this.valueHead.forward(acts, packed.positions);
    const pol = clippedSurrogate(logp, pick(b.logpOld), pick(b.advantages), s.clip);
    const val = clippedValueLoss(values, pick(b.valuesOld), pick(b.returns), s.valueClip);
    if (!Number.isFinite(pol.loss) || !Number.isFinite(val.loss)) throw new DivergenceError(this.step, 'the PPO loss');
    this.policy.zeroGrads();
    this.valueHead.zeroGrad();
    policyBackward(this.policy, acts, packed, pol.dLogp);
    this.valueHead.backward(acts, packed.positions, val.dValues.map((d) => d * s.valueCoef), { accumulate: true });
    this.policy.backwardFromFinalNorm(acts);
    this.opt.measure(this.policy.grads);
    const gradNorm = await this.opt.gradNorm();
    if (!Number.isFinite(gradNorm)) throw new DivergenceError(this.step, 'the gradient norm');
    this.opt.apply(this.policy.params, this.policy.grads, s.lr);
    this.valueHead.update(s.lr, s.optimizer);
    return { policyLoss: pol.loss, valueLoss: val.loss, clipFraction: pol.clipFraction, approxKl: pol.approxKl, gradNorm };
  }

  /** The trained policy as an 'rlhf' checkpoint, its value head as v_head.* extra tensors. */
  async checkpoint(name: string, lineage: { reward?: string; data?: string } = {}): Promise<Checkpoint> {
    const base = this.init.meta;
    const createdAt = new Date().toISOString();
    const head = this.valueHead.tensors();
    return {
      config: this.init.config,
      params: await this.policy.readParams(),
      extraTensors: head.tensors,
      extraShapes: head.shapes,
      meta: {
        stage: 'rlhf',
        name,
        createdAt,
        lineage: [...base.lineage, { stage: 'rlhf', name, parent: base.name, createdAt, method: 'ppo', reward: lineage.reward, data: lineage.data, klBeta: this.settings.klBeta }],
        tokenizer: base.tokenizer,
        history: { ppo: this.history },
        train: { step: this.step, method: 'ppo', settings: this.settings },
      },
    };
  }

  release(): void {
    this.opt.release();
    this.valueHead.release();
    this.reference.release();
    this.policy.release();
  }
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : 0;
}

// A supervised fine-tuning run, shared by the CLI (and later the worker): a base checkpoint, Q&A pairs in
// the chat template, the loss only on the assistant's tokens, and held-out evaluation — masked loss on
// held-out answers and greedy answer accuracy on held-out and on trained questions.
import type { Gpu } from '../gpu/runtime.ts';
import { Gpt } from '../gpt.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import { generate, generateBatch } from '../generate.ts';
import type { Checkpoint } from '../checkpoint/index.ts';
import { Rng } from '../reference/random.ts';
import { Trainer, type StepReport, type TrainSettings } from '../train/trainer.ts';
import type { FactsWorld } from '../../data/index.ts';
import { answerFromIds, encodeChat, promptIds, STOP_ID } from './chat.ts';
import { fitAll, makeSftBatch, type SftBatch } from './batch.ts';
import { exactMatch, isCorrect } from './eval.ts';
import { answerOf, questionOf, type QaPair } from './types.ts';

export interface SftOptions {
  base: Checkpoint;
  name: string;
  /** Where the pairs came from (builtin:facts-qa or a file name), for the lineage. */
  data: string;
  train: QaPair[];
  /** Questions whose facts are in no training pair. */
  heldOut: QaPair[];
  /** Questions whose facts were trained (a sample of `train`). */
  trainedProbe: QaPair[];
  /** With the facts world, an answer counts when it states the fact's value; without, exact match. */
  world?: FactsWorld;
  settings: TrainSettings;
  maxAnswerTokens: number;
  signal?: AbortSignal;
}

export type SftEvent =
  | ({ type: 'step' } & StepReport)
  | { type: 'eval'; step: number; valLoss: number; heldoutAccuracy: number; trainedAccuracy: number };

export interface SftHistory {
  steps: { step: number; loss: number; lr: number; gradNorm: number; tokensPerS: number }[];
  evals: { step: number; valLoss: number; heldoutAccuracy: number; trainedAccuracy: number }[];
}

/** Questions answered together in one batched decode. */
const ANSWER_ROWS = 32;

export class SftRun {
  readonly tokenizer: Tokenizer;
  readonly model: Gpt;
  readonly trainer: Trainer;
  readonly history: SftHistory = { steps: [], evals: [] };
  private readonly valBatches: SftBatch[];

  constructor(
    gpu: Gpu,
    private readonly o: SftOptions,
    private readonly emit: (e: SftEvent) => void,
  ) {
    if (!o.base.meta.tokenizer) throw new Error('the base checkpoint has no tokenizer');
    if (o.train.length === 0) throw new Error('there are no training pairs');
    this.tokenizer = tokenizerFromJSON(o.base.meta.tokenizer as never);
    const T = o.settings.context;
    const encode = (pairs: QaPair[]) => fitAll(pairs.map((p) => encodeChat(this.tokenizer, p)), T).examples;
    const train = encode(o.train);
    if (train.length === 0) throw new Error(`no training pair fits the model's context of ${T} tokens`);
    this.model = new Gpt(gpu, o.base.config, o.base.params);
    const rng = new Rng(o.settings.seed);
    this.trainer = new Trainer(gpu, this.model, o.settings, () => makeSftBatch(train, o.settings.batch, T, rng));
    const held = encode(o.heldOut);
    const valRng = new Rng(12345);
    this.valBatches = held.length ? Array.from({ length: o.settings.evalBatches }, () => makeSftBatch(held, o.settings.batch, T, valRng)) : [];
  }

  /** Trains for settings.steps, evaluating every evalEvery steps and at the end; returns the SFT checkpoint. */
  async run(): Promise<Checkpoint> {
    const s = this.o.settings;
    while (this.trainer.step < s.steps && !this.o.signal?.aborted) {
      const r = await this.trainer.trainStep();
      this.history.steps.push({ step: r.step, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokensPerS: r.tokensPerS });
      this.emit({ type: 'step', ...r });
      if ((s.evalEvery > 0 && r.step % s.evalEvery === 0) || r.step === s.steps) await this.evaluate();
    }
    return this.checkpoint();
  }

  async evaluate(): Promise<SftHistory['evals'][number]> {
    const e = {
      step: this.trainer.step,
      valLoss: await this.valLoss(),
      heldoutAccuracy: await this.accuracy(this.o.heldOut),
      trainedAccuracy: await this.accuracy(this.o.trainedProbe),
    };
    this.history.evals.push(e);
    this.emit({ type: 'eval', ...e });
    return e;
  }

  /** Masked loss on the held-out answers (NaN without held-out pairs): cheap, unlike the accuracies, so a
   *  page can draw it often between full evaluations. */
  async valLoss(): Promise<number> {
    return this.valBatches.length ? await this.trainer.meanLoss(this.valBatches) : NaN;
  }

  /** Greedy answer to a question through the chat template, up to the end-of-turn token. */
  async answer(question: string): Promise<string> {
    const ids: number[] = [];
    const greedy = { maxTokens: this.o.maxAnswerTokens, temperature: 0, topK: 0, topP: 1, seed: 1, stopIds: [STOP_ID] };
    for await (const id of generate(this.model, promptIds(this.tokenizer, question), greedy)) ids.push(id);
    return answerFromIds(this.tokenizer, ids).text;
  }

  /** Greedy answers to many questions at once (KV-cache decoding, all rows in lockstep). */
  async answers(questions: string[]): Promise<string[]> {
    const out: string[] = [];
    const greedy = { maxTokens: this.o.maxAnswerTokens, temperature: 0, topK: 0, topP: 1, seed: 1, stopIds: [STOP_ID] };
    // Chunks bound the KV caches' memory (rows × layers × context × channels × 2).
    for (let i = 0; i < questions.length; i += ANSWER_ROWS) {
      const prompts = questions.slice(i, i + ANSWER_ROWS).map((q) => promptIds(this.tokenizer, q));
      const gen = await generateBatch(this.model, prompts, greedy);
      for (const ids of gen.ids) out.push(answerFromIds(this.tokenizer, ids).text);
    }
    return out;
  }

  /** The share of pairs answered correctly (the fact's value stated, or the exact answer without a world). */
  async accuracy(pairs: QaPair[]): Promise<number> {
    if (pairs.length === 0) return NaN;
    const got = await this.answers(pairs.map(questionOf));
    let correct = 0;
    pairs.forEach((p, i) => {
      if (this.o.world && p.fact ? isCorrect(got[i], p, this.o.world) : exactMatch(got[i], answerOf(p))) correct++;
    });
    return correct / pairs.length;
  }

  async checkpoint(): Promise<Checkpoint> {
    const base = this.o.base.meta;
    return {
      config: this.o.base.config,
      params: await this.model.readParams(),
      meta: {
        stage: 'sft',
        name: this.o.name,
        createdAt: new Date().toISOString(),
        lineage: [...base.lineage, { stage: 'sft', name: this.o.name, parent: base.name, createdAt: new Date().toISOString(), data: this.o.data }],
        tokenizer: base.tokenizer,
        history: this.history,
        train: { step: this.trainer.step, data: this.o.data, settings: this.o.settings },
      },
    };
  }

  release(): void {
    this.trainer.release();
    this.model.release();
  }
}

// A pretraining run from text to checkpoint, shared by the Web Worker (the page) and the CLI: build or
// restore the tokenizer, encode and split the corpus, train with evaluations and samples, and hand back
// checkpoints (autosaves and the final one) in the safetensors layout.
import type { Gpu } from '../gpu/runtime.ts';
import { Gpt } from '../gpt.ts';
import { initParams, paramCount, type GptConfig } from '../config.ts';
import { buildCharTokenizer, trainBpe, tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import { optimizerKey, type Checkpoint, type LineageEntry } from '../checkpoint/index.ts';
import { generate } from '../generate.ts';
import { BatchSampler, splitTokens, type Batch } from './batches.ts';
import { Trainer, type StepReport, type TrainSettings } from './trainer.ts';

export type TokenizerChoice = { kind: 'char' } | { kind: 'bpe'; vocabSize: number };

export interface PretrainOptions {
  text: string;
  corpus: string;
  name: string;
  tokenizer: TokenizerChoice;
  /**
   * A tokenizer built beforehand, used instead of building one from `tokenizer` (e.g. a char vocabulary
   * that also covers the SFT questions, or the one the page already trained).
   */
  prebuiltTokenizer?: Tokenizer;
  model: Omit<GptConfig, 'vocabSize'>;
  train: TrainSettings;
  sampleEvery: number;
  samplePrompt: string;
  sampleTokens: number;
  /** Steps between autosaves (0: none). */
  autosaveEvery: number;
  /** Continue this run (its tokenizer, weights, optimizer moments and step). */
  resume?: Checkpoint;
  signal?: AbortSignal;
  /** Awaited before every step: the worker uses it to pause. */
  gate?: () => Promise<void>;
}

export type PretrainEvent =
  | { type: 'tokenizer'; progress: number }
  | { type: 'ready'; params: number; vocabSize: number; trainTokens: number; valTokens: number; startStep: number }
  | ({ type: 'step' } & StepReport)
  | { type: 'eval'; step: number; valLoss: number }
  | { type: 'sample'; step: number; prompt: string; text: string };

export interface History {
  steps: { step: number; loss: number; lr: number; gradNorm: number; tokensPerS: number }[];
  evals: { step: number; valLoss: number }[];
}

export function makeTokenizer(text: string, choice: TokenizerChoice, onProgress?: (f: number) => void): Tokenizer {
  if (choice.kind === 'char') return buildCharTokenizer(text);
  return trainBpe(text, { vocabSize: choice.vocabSize, onProgress });
}

export class PretrainRun {
  readonly tokenizer: Tokenizer;
  readonly config: GptConfig;
  readonly model: Gpt;
  readonly trainer: Trainer;
  readonly history: History;
  private readonly lineage: LineageEntry[];
  /** The same validation batches at every evaluation, so evaluations are comparable. */
  private readonly valBatches: Batch[];

  constructor(
    private readonly gpu: Gpu,
    private readonly o: PretrainOptions,
    private readonly emit: (e: PretrainEvent) => void,
  ) {
    const r = o.resume;
    this.tokenizer = r
      ? tokenizerFromJSON(r.meta.tokenizer as never)
      : (o.prebuiltTokenizer ?? makeTokenizer(o.text, o.tokenizer, (progress) => emit({ type: 'tokenizer', progress })));
    this.config = r ? r.config : { ...o.model, vocabSize: this.tokenizer.vocabSize };
    const tokens = Uint32Array.from(this.tokenizer.encode(o.text));
    const split = splitTokens(tokens);
    if (split.val.length < 2) throw new Error(`the corpus is too short: ${tokens.length} tokens leave no validation data`);
    this.model = new Gpt(gpu, this.config, r ? r.params : initParams(this.config, o.train.seed));
    const startStep = r?.meta.train?.step ?? 0;
    // Seeded by the start step too, so a resumed run does not replay the batches it already saw.
    const sampler = new BatchSampler(split.train, o.train.batch, o.train.context, o.train.seed + startStep * 7919);
    this.trainer = new Trainer(gpu, this.model, o.train, () => sampler.next(), startStep);
    const valT = Math.min(o.train.context, split.val.length - 1);
    const valSampler = new BatchSampler(split.val, o.train.batch, valT, 12345);
    this.valBatches = Array.from({ length: o.train.evalBatches }, () => valSampler.next());
    if (r?.extraTensors) this.restoreMoments(r.extraTensors);
    this.history = (r?.meta.history as History | undefined) ?? { steps: [], evals: [] };
    this.lineage = r?.meta.lineage ?? [{ stage: 'base', name: o.name, createdAt: new Date().toISOString(), corpus: o.corpus }];
    emit({ type: 'ready', params: paramCount(this.config), vocabSize: this.config.vocabSize, trainTokens: split.train.length, valTokens: split.val.length, startStep });
  }

  private restoreMoments(extra: Map<string, Float32Array>): void {
    for (const s of this.model.specs) {
      const m = extra.get(optimizerKey('m', s.name));
      const v = extra.get(optimizerKey('v', s.name));
      if (m && v) {
        this.gpu.upload(this.trainer.opt.m.get(s.name)!, m);
        this.gpu.upload(this.trainer.opt.v.get(s.name)!, v);
      }
    }
  }

  /** Trains until `steps` (or abort), calling onCheckpoint at every autosave. Returns the final checkpoint. */
  async run(onCheckpoint?: (c: Checkpoint) => Promise<void> | void): Promise<Checkpoint> {
    const { train, signal, gate } = this.o;
    while (this.trainer.step < train.steps && !signal?.aborted) {
      await gate?.();
      if (signal?.aborted) break;
      const r = await this.trainer.trainStep();
      this.history.steps.push({ step: r.step, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokensPerS: r.tokensPerS });
      this.emit({ type: 'step', ...r });
      const last = r.step === train.steps;
      if (train.evalEvery > 0 && (r.step % train.evalEvery === 0 || last)) {
        const valLoss = await this.evaluate();
        this.history.evals.push({ step: r.step, valLoss });
        this.emit({ type: 'eval', step: r.step, valLoss });
      }
      if (this.o.sampleEvery > 0 && (r.step % this.o.sampleEvery === 0 || last)) {
        this.emit({ type: 'sample', step: r.step, prompt: this.o.samplePrompt, text: await this.sample(this.o.samplePrompt, this.o.sampleTokens) });
      }
      if (onCheckpoint && this.o.autosaveEvery > 0 && r.step % this.o.autosaveEvery === 0 && !last) await onCheckpoint(await this.checkpoint(true));
    }
    return this.checkpoint(true);
  }

  /** Mean loss on the held-out tail of the corpus. */
  evaluate(): Promise<number> {
    return this.trainer.meanLoss(this.valBatches);
  }

  async sample(prompt: string, maxTokens: number, seed = 1): Promise<string> {
    const ids: number[] = [];
    for await (const id of generate(this.model, this.tokenizer.encode(prompt), { maxTokens, temperature: 0.8, topK: 40, topP: 1, seed })) ids.push(id);
    return this.tokenizer.decode(ids);
  }

  /** The run as a checkpoint; with `withOptimizer` it also carries AdamW's moments so it can be resumed. */
  async checkpoint(withOptimizer: boolean): Promise<Checkpoint> {
    const params = await this.model.readParams();
    const extraTensors = new Map<string, Float32Array>();
    const extraShapes = new Map<string, number[]>();
    if (withOptimizer) {
      for (const s of this.model.specs) {
        for (const kind of ['m', 'v'] as const) {
          const t = (kind === 'm' ? this.trainer.opt.m : this.trainer.opt.v).get(s.name)!;
          extraTensors.set(optimizerKey(kind, s.name), (await t.read()) as Float32Array);
          extraShapes.set(optimizerKey(kind, s.name), s.shape);
        }
      }
    }
    return {
      config: this.config,
      params,
      extraTensors,
      extraShapes,
      meta: {
        stage: 'base',
        name: this.o.name,
        createdAt: new Date().toISOString(),
        lineage: this.lineage,
        tokenizer: this.tokenizer.toJSON(),
        history: this.history,
        train: { step: this.trainer.step, corpus: this.o.corpus, settings: this.o.train },
      },
    };
  }

  release(): void {
    this.trainer.release();
    this.model.release();
  }
}

// One supervised fine-tuning run inside the engine worker: a stored checkpoint and the page's Q&A pairs
// (checked again here) → SftRun (loss only on the assistant's tokens) → a new checkpoint with stage 'sft' and
// its lineage. Before training the base model is evaluated, after training the fine-tuned one (held-out
// loss, accuracy on held-out and on trained questions, a few example answers), with progress events, since
// greedy answers are the slow part. Pause/resume/stop, autosaves, and the endings the UI explains: done,
// stopped (the weights so far kept as an autosave), diverged (the last good weights kept) and device loss.
// Modelled on pretrain-job.ts.
import { JobControl, type JobState } from './job-control.ts';
import { factsWorldOfKey, type FactsWorld } from '../../data/index.ts';
import type { CheckpointStore, StoredCheckpointInfo } from '../checkpoint/store.ts';
import { paramCount } from '../config.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { DEFAULT_ADAMW } from '../optimizer.ts';
import { exactMatch, isCorrect } from '../sft/eval.ts';
import { SftRun } from '../sft/run.ts';
import { answerOf, questionOf, type QaPair } from '../sft/types.ts';
import { tokenizerFromJSON } from '../tokenizer/index.ts';
import type { TrainSettings } from '../train/trainer.ts';
import { codeError } from './errors.ts';
import type { EngineEvent } from './protocol.ts';
import { checkPairs, fitPairs } from './sft-data.ts';
import type { SftEvaluation, SftExampleAnswer, SftResult, SftSettings, SftSpec } from './sft-protocol.ts';

/** Held-out batches averaged for the held-out loss. */
const EVAL_BATCHES = 4;
const SEED = 1337;

export function sftTrainSettings(s: SftSettings, context: number): TrainSettings {
  return {
    batch: s.batch,
    context,
    gradAccum: 1,
    steps: s.steps,
    maxLr: s.lr,
    minLr: s.lr / 10,
    warmupSteps: Math.min(s.warmup, s.steps),
    decaySteps: s.steps,
    evalEvery: s.evalEvery,
    evalBatches: EVAL_BATCHES,
    seed: SEED,
    // No weight decay: fine-tuning should move the base weights as little as the data asks.
    optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 },
  };
}

function checkSettings(s: SftSettings): void {
  const ok = (v: number, min: number) => Number.isFinite(v) && v >= min;
  if (!ok(s.steps, 1) || !Number.isInteger(s.steps)) throw codeError('bad-data', `steps must be a whole number ≥ 1 (got ${s.steps})`);
  if (!ok(s.batch, 1) || !Number.isInteger(s.batch)) throw codeError('bad-data', `batch must be a whole number ≥ 1 (got ${s.batch})`);
  if (!ok(s.lr, 0) || s.lr === 0) throw codeError('bad-data', `the learning rate must be > 0 (got ${s.lr})`);
  if (!ok(s.maxAnswerTokens, 1)) throw codeError('bad-data', `the answer length must be ≥ 1 (got ${s.maxAnswerTokens})`);
}

export interface SftJobDeps {
  gpu: Gpu;
  store: CheckpointStore;
  post: (e: EngineEvent) => void;
  /** Resolves when no generation is using the GPU (training waits for it before each step). */
  gpuIdle: () => Promise<void>;
}

export class SftJob extends JobControl {
  constructor(
    readonly runId: string,
    private readonly deps: SftJobDeps,
  ) {
    super('during fine-tuning');
  }

  async run(spec: SftSpec): Promise<SftResult> {
    return this.race(this.work(spec));
  }

  private async work(spec: SftSpec): Promise<SftResult> {
    const { gpu, store, post } = this.deps;
    const runId = this.runId;
    checkSettings(spec.settings);
    let train = checkPairs(spec.train, 'training data');
    const heldOut = checkPairs(spec.heldOut, 'held-out data');
    const trainedProbe = checkPairs(spec.trainedProbe, 'trained questions');
    const examples = checkPairs(spec.examples, 'example questions');
    if (train.length === 0) throw codeError('bad-data', 'There are no training pairs.');
    this.phase('loading');
    const base = await store.load(spec.baseId);
    if (!base.meta.tokenizer) throw codeError('bad-data', `"${base.meta.name}" has no tokenizer, so the pairs cannot be encoded for it.`);
    const tokenizer = tokenizerFromJSON(base.meta.tokenizer as never);
    const T = base.config.contextLength;
    const { kept, truncated, skipped } = fitPairs(tokenizer, train, T, spec.tooLong);
    train = kept;
    if (train.length === 0) throw codeError('bad-data', `No training pair fits the model's context of ${T} tokens.`);
    const settings = sftTrainSettings(spec.settings, T);
    const world = factsWorldOfKey(spec.world) ?? undefined;
    const run = new SftRun(
      gpu,
      { base, name: spec.name, data: spec.data, train, heldOut, trainedProbe, world, settings, maxAnswerTokens: spec.settings.maxAnswerTokens },
      () => {},
    );
    try {
      post({
        type: 'sft-ready', runId, name: spec.name, steps: settings.steps, params: paramCount(base.config), contextLength: T,
        trainPairs: train.length, heldOutPairs: heldOut.length, truncated, skipped,
      });
      this.state('running');
      await this.evaluate(run, 'before', { heldOut, trainedProbe, examples, world });
      this.phase('training');
      const diverged = await this.trainLoop(run, settings, Math.max(0, Math.floor(spec.settings.autosaveEvery) || 0));
      if (diverged) return diverged;
      const step = run.trainer.step;
      if (this.stopping && step < settings.steps) {
        const autosave = step > 0 ? await this.race(store.saveAutosave(runId, await this.race(run.checkpoint()))) : null;
        return { status: 'stopped', step, autosave };
      }
      await this.evaluate(run, 'after', { heldOut, trainedProbe, examples, world });
      this.phase('saving');
      const ckpt = await this.race(run.checkpoint());
      const checkpoint = await store.save(ckpt, { runId, parentId: spec.baseId });
      await store.removeAutosaves(runId).catch(() => 0);
      return { status: 'done', step, checkpoint };
    } finally {
      try {
        run.release();
        gpu.trimPool();
      } catch {
        // a lost device: its buffers are gone anyway
      }
    }
  }

  /** Trains to the last step (or a stop); returns the 'diverged' result when a step was refused. */
  private async trainLoop(run: SftRun, s: TrainSettings, autosaveEvery: number): Promise<SftResult | null> {
    const { store, post } = this.deps;
    const runId = this.runId;
    while (run.trainer.step < s.steps) {
      await this.gate();
      if (this.stopping) break;
      let r;
      try {
        r = await this.race(run.trainer.trainStep());
      } catch (e) {
        if (!(e instanceof Error) || e.name !== 'DivergenceError') throw e;
        // The trainer refused the step before the weights changed: the model in memory is the last good one.
        let autosave: StoredCheckpointInfo | null = null;
        try {
          autosave = await store.saveAutosave(runId, await this.race(run.checkpoint()));
        } catch {
          autosave = await store.latestAutosave(runId).catch(() => null);
        }
        return { status: 'diverged', step: run.trainer.step, autosave, message: e.message };
      }
      run.history.steps.push({ step: r.step, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokensPerS: r.tokensPerS });
      post({ type: 'sft-step', runId, step: r.step, loss: r.loss, lr: r.lr, gradNorm: r.gradNorm, tokensPerS: r.tokensPerS });
      if (s.evalEvery > 0 && r.step % s.evalEvery === 0 && r.step < s.steps) {
        const valLoss = await this.race(run.valLoss());
        run.history.evals.push({ step: r.step, valLoss, heldoutAccuracy: NaN, trainedAccuracy: NaN });
        post({ type: 'sft-eval', runId, step: r.step, when: 'during', valLoss, heldoutAccuracy: null, trainedAccuracy: null, examples: [] });
      }
      if (autosaveEvery > 0 && r.step % autosaveEvery === 0 && r.step < s.steps) await this.autosave(run);
    }
    return null;
  }

  private async autosave(run: SftRun): Promise<void> {
    const step = run.trainer.step;
    try {
      const info = await this.deps.store.saveAutosave(this.runId, await this.race(run.checkpoint()));
      this.deps.post({ type: 'sft-autosaved', runId: this.runId, step, info });
    } catch (e) {
      if (e instanceof Error && (e as { code?: string }).code === 'device-lost') throw e;
      this.deps.post({ type: 'sft-autosave-failed', runId: this.runId, step, message: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * Held-out loss, then greedy answers to the held-out and trained questions (accuracy) and to the example
   * questions, with a progress event per answer. A stop ends it early (the accuracies are then over the
   * questions answered so far).
   */
  private async evaluate(
    run: SftRun,
    when: 'before' | 'after',
    d: { heldOut: QaPair[]; trainedProbe: QaPair[]; examples: QaPair[]; world?: FactsWorld },
  ): Promise<void> {
    const phase = when === 'before' ? 'eval-before' : 'eval-after';
    const total = d.heldOut.length + d.trainedProbe.length + d.examples.length;
    let done = 0;
    this.phase(phase, done, total);
    const valLoss = await this.race(run.valLoss());
    const heldKeys = new Set(d.heldOut.map(questionOf));
    const answer = async (p: QaPair) => {
      await this.gate();
      const got = await this.race(run.answer(questionOf(p)));
      this.phase(phase, ++done, total);
      return { got, correct: d.world && p.fact ? isCorrect(got, p, d.world) : exactMatch(got, answerOf(p)) };
    };
    const accuracy = async (pairs: QaPair[]): Promise<number | null> => {
      let right = 0;
      let asked = 0;
      for (const p of pairs) {
        if (this.stopping) break;
        if ((await answer(p)).correct) right++;
        asked++;
      }
      return asked ? right / asked : null;
    };
    const heldoutAccuracy = await accuracy(d.heldOut);
    const trainedAccuracy = await accuracy(d.trainedProbe);
    const examples: SftExampleAnswer[] = [];
    for (const p of d.examples) {
      if (this.stopping) break;
      const r = await answer(p);
      examples.push({ question: questionOf(p), expected: answerOf(p), answer: r.got, correct: r.correct, heldOut: heldKeys.has(questionOf(p)) });
    }
    const e: SftEvaluation = { runId: this.runId, step: run.trainer.step, when, valLoss, heldoutAccuracy, trainedAccuracy, examples };
    run.history.evals.push({ step: e.step, valLoss, heldoutAccuracy: heldoutAccuracy ?? NaN, trainedAccuracy: trainedAccuracy ?? NaN });
    this.deps.post({ type: 'sft-eval', ...e });
  }

  /** Waits while paused, then for any generation using the GPU. */
  private gate(): Promise<void> {
    return this.gateOn(this.deps.gpuIdle);
  }

  protected state(state: JobState): void {
    this.deps.post({ type: 'sft-state', runId: this.runId, state });
  }

  private phase(phase: 'loading' | 'eval-before' | 'training' | 'eval-after' | 'saving', done?: number, total?: number): void {
    this.deps.post({ type: 'sft-phase', runId: this.runId, phase, done, total });
  }
}

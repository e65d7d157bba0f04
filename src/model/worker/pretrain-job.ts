// One pretraining run inside the engine worker: a new run or the continuation of a stored autosave, driven
// by PretrainRun (tokenizer, model, trainer, evals, samples), with pause/resume/stop, autosaves through the
// CheckpointStore, and the endings the UI explains: done (stored as stage 'base'), stopped (kept as an
// autosave that can be resumed), diverged (the last good weights kept as an autosave) and device loss.
import { JobControl, type JobState } from './job-control.ts';
import { charTokenizerFor } from '../sft/char-coverage.ts';
import { stripOptimizerState, type Checkpoint } from '../checkpoint/index.ts';
import type { CheckpointStore, StoredCheckpointInfo } from '../checkpoint/store.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { DEFAULT_ADAMW } from '../optimizer.ts';
import { PretrainRun, type History } from '../train/pretrain.ts';
import type { TrainSettings } from '../train/trainer.ts';
import type { CorpusHolder } from './corpus.ts';
import { codeError } from './errors.ts';
import type { EngineEvent, ModelSpec, PretrainResult, RunSpec } from './protocol.ts';

/** Validation batches averaged per evaluation. */
const EVAL_BATCHES = 10;
const SEED = 1337;

export function trainSettings(m: ModelSpec): TrainSettings {
  return {
    batch: m.batch,
    context: m.context,
    gradAccum: 1,
    steps: m.steps,
    maxLr: m.lr,
    minLr: m.lr / 10,
    warmupSteps: m.warmup,
    decaySteps: m.steps,
    evalEvery: m.evalEvery,
    evalBatches: EVAL_BATCHES,
    seed: SEED,
    optimizer: { ...DEFAULT_ADAMW, beta2: m.beta2, weightDecay: m.weightDecay },
  };
}

export interface JobDeps {
  gpu: Gpu;
  store: CheckpointStore;
  corpus: CorpusHolder;
  post: (e: EngineEvent) => void;
  /** Resolves when no generation is using the GPU (training waits for it before each step). */
  gpuIdle: () => Promise<void>;
}

export class PretrainJob extends JobControl {
  constructor(
    readonly runId: string,
    private readonly deps: JobDeps,
  ) {
    super('during training');
  }

  async run(spec: RunSpec): Promise<PretrainResult> {
    const { gpu, store, corpus, post } = this.deps;
    const runId = this.runId;
    let resume: Checkpoint | undefined;
    let corpusKey: string;
    let name: string;
    let settings: TrainSettings;
    if (spec.kind === 'resume') {
      resume = await store.load(spec.checkpointId);
      const t = resume.meta.train;
      if (!t || typeof t.corpus !== 'string' || !t.settings) {
        throw new Error(`"${resume.meta.name}" holds no training state (corpus and settings), so it cannot be resumed.`);
      }
      corpusKey = t.corpus;
      settings = t.settings as TrainSettings;
      if (spec.lr !== undefined && spec.lr > 0 && spec.lr !== settings.maxLr) {
        settings = { ...settings, maxLr: spec.lr, minLr: (settings.minLr * spec.lr) / settings.maxLr };
      }
      name = resume.meta.name;
    } else {
      corpusKey = spec.corpusKey;
      settings = trainSettings(spec.model);
      name = spec.name;
    }
    const text = await corpus.textFor(corpusKey);
    if (text === null) {
      const file = corpusKey.replace(/^file:/, '');
      throw codeError('need-corpus', `This run was trained on your file "${file}", which is not stored in the browser: load it again, then resume.`, { file });
    }
    post({ type: 'pretrain-plan', runId, name, steps: settings.steps });
    this.state('running');
    const run = new PretrainRun(
      gpu,
      {
        text,
        corpus: corpusKey,
        name,
        tokenizer: spec.kind === 'new' ? spec.tokenizer : { kind: 'char' },
        prebuiltTokenizer: spec.kind === 'new' && spec.tokenizer.kind === 'char' ? charTokenizerFor(text, corpusKey) : undefined,
        model:
          spec.kind === 'new'
            ? { layers: spec.model.layers, heads: spec.model.heads, channels: spec.model.channels, contextLength: spec.model.context }
            : { layers: resume!.config.layers, heads: resume!.config.heads, channels: resume!.config.channels, contextLength: resume!.config.contextLength },
        train: settings,
        sampleEvery: spec.sampleEvery,
        samplePrompt: spec.samplePrompt,
        sampleTokens: spec.sampleTokens,
        autosaveEvery: spec.autosaveEvery,
        resume,
        signal: this.signal,
        gate: () => this.gate(),
      },
      (event) => post({ type: 'pretrain', runId, event }),
    );
    const startStep = run.trainer.step;
    if (resume) post({ type: 'pretrain-history', runId, history: structuredClone(run.history) as History });
    try {
      const onCheckpoint = async (c: Checkpoint) => {
        const step = c.meta.train?.step ?? 0;
        try {
          const info = await store.saveAutosave(runId, c);
          post({ type: 'autosaved', runId, step, info });
        } catch (e) {
          post({ type: 'autosave-failed', runId, step, message: e instanceof Error ? e.message : String(e) });
        }
      };
      let ckpt: Checkpoint;
      try {
        const running = run.run(onCheckpoint);
        running.catch(() => {}); // after a device loss nobody awaits it any more
        ckpt = await this.race(running);
      } catch (e) {
        if (!(e instanceof Error) || e.name !== 'DivergenceError') throw e;
        // The trainer refused the step before the weights changed: what is in memory is the last good model.
        const step = run.trainer.step;
        let autosave: StoredCheckpointInfo | null = null;
        try {
          const reading = run.checkpoint(true);
          reading.catch(() => {});
          autosave = await store.saveAutosave(runId, await this.race(reading));
        } catch {
          autosave = await store.latestAutosave(runId).catch(() => null);
        }
        return { status: 'diverged', step, autosave, message: e.message };
      }
      const step = run.trainer.step;
      if (this.stopping && step < settings.steps) {
        const autosave = step > startStep ? await store.saveAutosave(runId, ckpt) : await store.latestAutosave(runId);
        return { status: 'stopped', step, autosave };
      }
      const checkpoint = await store.save(stripOptimizerState(ckpt), { runId });
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

  private gate(): Promise<void> {
    return this.gateOn(this.deps.gpuIdle);
  }

  protected state(state: JobState): void {
    this.deps.post({ type: 'pretrain-state', runId: this.runId, state });
  }
}

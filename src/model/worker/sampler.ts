// Sampling from a stored checkpoint inside the engine worker: load it (the last few stay on the GPU for
// the next prompt: up to MAX_LOADED, so the Compare stage's 2–4 columns stay loaded), then generate token by
// token with src/model/generate.ts, posting the text so far after every token. Other GPU jobs that sample
// (compare-job.ts) run through `track` so `busy` and `whenIdle` cover them too.
import type { CheckpointStore } from '../checkpoint/store.ts';
import { generate } from '../generate.ts';
import { Gpt } from '../gpt.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import { codeError } from './errors.ts';
import type { EngineEvent, GenerateRequest, GenerateResult } from './protocol.ts';

/** Models kept on the GPU at most (least recently used first out). */
export const MAX_LOADED = 4;

/** What a job that samples needs of the checkpoint store (the worker's CheckpointStore; a fake in tests). */
export type CheckpointSource = Pick<CheckpointStore, 'get' | 'load'>;

export interface Loaded {
  gpu: Gpu;
  id: string;
  /** The entry's updatedAt: a newer save under the same id (an autosave) is loaded again. */
  version: string;
  model: Gpt;
  tokenizer: Tokenizer;
  /** The tokenizer's saved state (meta.tokenizer), e.g. to tell whether two checkpoints share one. */
  tokenizerState: unknown;
}

export class Sampler {
  /** Loaded models, least recently used first. */
  private loaded: Loaded[] = [];
  private readonly running = new Map<string, AbortController>();
  private idle: Promise<void> = Promise.resolve();
  private active = 0;

  get busy(): boolean {
    return this.active > 0;
  }

  /** Resolves when no generation is running. */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  /** Runs a sampling job under `id` (stop(id) aborts its signal); busy until it settles. */
  async track<T>(id: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    this.running.set(id, abort);
    this.active++;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const before = this.idle;
    this.idle = Promise.all([before, finished]).then(() => {});
    try {
      return await fn(abort.signal);
    } finally {
      this.running.delete(id);
      this.active--;
      done();
    }
  }

  generate(gpu: Gpu, store: CheckpointSource, req: GenerateRequest, post: (e: EngineEvent) => void): Promise<GenerateResult> {
    return this.track(req.genId, async (signal) => {
      const { model, tokenizer } = await this.load(gpu, store, req.checkpointId);
      const prompt = tokenizer.encode(req.prompt);
      const ids: number[] = [];
      let text = '';
      const opts = {
        maxTokens: req.maxTokens,
        temperature: req.temperature,
        topK: req.topK,
        topP: req.topP,
        seed: req.seed,
        signal,
      };
      for await (const id of generate(model, prompt, opts)) {
        ids.push(id);
        text = tokenizer.decode(ids);
        post({ type: 'generate-token', genId: req.genId, text, tokens: ids.length });
      }
      return { text, tokens: ids.length, stopped: signal.aborted };
    });
  }

  stop(genId: string): void {
    this.running.get(genId)?.abort();
  }

  /** Frees the loaded models (training is about to need the memory). */
  release(): void {
    const all = this.loaded;
    this.loaded = [];
    for (const l of all) free(l);
  }

  /** Forgets the models without touching their (lost) device. */
  forget(): void {
    this.loaded = [];
  }

  /**
   * The stored checkpoint `id` on the GPU: reused when loaded (and not saved again since), else loaded,
   * dropping the least recently used model beyond MAX_LOADED. Throws CodedError 'missing' when it is gone.
   */
  async load(gpu: Gpu, store: CheckpointSource, id: string): Promise<Loaded> {
    const info = await store.get(id);
    if (!info) throw codeError('missing', `No stored checkpoint with id "${id}" (it may have been removed in another tab).`);
    const i = this.loaded.findIndex((l) => l.gpu === gpu && l.id === id);
    if (i >= 0) {
      const [l] = this.loaded.splice(i, 1);
      if (l.version === info.updatedAt) {
        this.loaded.push(l);
        return l;
      }
      free(l);
    }
    const ckpt = await store.load(id);
    if (!ckpt.meta.tokenizer) throw new Error(`"${info.name}" has no tokenizer, so text cannot be encoded for it.`);
    const tokenizer = tokenizerFromJSON(ckpt.meta.tokenizer as never);
    while (this.loaded.length >= MAX_LOADED) free(this.loaded.shift()!);
    const model = new Gpt(gpu, ckpt.config, ckpt.params);
    const l: Loaded = { gpu, id, version: info.updatedAt, model, tokenizer, tokenizerState: ckpt.meta.tokenizer };
    this.loaded.push(l);
    return l;
  }
}

function free(l: Loaded): void {
  try {
    l.model.release();
    l.gpu.trimPool();
  } catch {
    // a lost device
  }
}

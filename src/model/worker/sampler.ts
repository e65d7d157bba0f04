// Sampling from a stored checkpoint inside the engine worker: load it (the last one stays on the GPU for
// the next prompt), then generate token by token with src/model/generate.ts, posting the text so far after
// every token.
import type { CheckpointStore } from '../checkpoint/store.ts';
import { generate } from '../generate.ts';
import { Gpt } from '../gpt.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { tokenizerFromJSON, type Tokenizer } from '../tokenizer/index.ts';
import type { EngineEvent, GenerateRequest, GenerateResult } from './protocol.ts';

interface Loaded {
  gpu: Gpu;
  id: string;
  /** The entry's updatedAt: a newer save under the same id (an autosave) is loaded again. */
  version: string;
  model: Gpt;
  tokenizer: Tokenizer;
}

export class Sampler {
  private loaded: Loaded | null = null;
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

  async generate(gpu: Gpu, store: CheckpointStore, req: GenerateRequest, post: (e: EngineEvent) => void): Promise<GenerateResult> {
    const abort = new AbortController();
    this.running.set(req.genId, abort);
    this.active++;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const before = this.idle;
    this.idle = Promise.all([before, finished]).then(() => {});
    try {
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
        signal: abort.signal,
      };
      for await (const id of generate(model, prompt, opts)) {
        ids.push(id);
        text = tokenizer.decode(ids);
        post({ type: 'generate-token', genId: req.genId, text, tokens: ids.length });
      }
      return { text, tokens: ids.length, stopped: abort.signal.aborted };
    } finally {
      this.running.delete(req.genId);
      this.active--;
      done();
    }
  }

  stop(genId: string): void {
    this.running.get(genId)?.abort();
  }

  /** Frees the loaded model (training is about to need the memory). */
  release(): void {
    const l = this.loaded;
    this.loaded = null;
    if (!l) return;
    try {
      l.model.release();
      l.gpu.trimPool();
    } catch {
      // a lost device
    }
  }

  /** Forgets the model without touching its (lost) device. */
  forget(): void {
    this.loaded = null;
  }

  private async load(gpu: Gpu, store: CheckpointStore, id: string): Promise<Loaded> {
    const info = await store.get(id);
    if (!info) throw new Error(`No stored checkpoint with id "${id}" (it may have been removed in another tab).`);
    const l = this.loaded;
    if (l && l.gpu === gpu && l.id === id && l.version === info.updatedAt) return l;
    this.release();
    const ckpt = await store.load(id);
    if (!ckpt.meta.tokenizer) throw new Error(`"${info.name}" has no tokenizer, so text cannot be encoded for it.`);
    const tokenizer = tokenizerFromJSON(ckpt.meta.tokenizer as never);
    const model = new Gpt(gpu, ckpt.config, ckpt.params);
    this.loaded = { gpu, id, version: info.updatedAt, model, tokenizer };
    return this.loaded;
  }
}

// Incremental (KV-cache) decoding of R sequences ("rows") at once on a Gpt.
//
// prefill(prompts) runs the ordinary full forward over each prompt (rows whose lengths round up to the same
// power-of-two bucket share one batched forward; right padding never changes earlier positions of causal
// attention) and copies every layer's k and v activations into per-layer caches [R, context, C]. After that
// each step(ids) appends one token per row, every row at its own position, and costs one small forward of R
// rows per layer instead of a forward over the whole window:
//
//   embedding at per-row positions → for each layer: ln_1 → qkv (R rows) → cache write → one-query
//   attention over the row's cache → c_proj → residual → ln_2 → MLP → residual; then ln_f → LM head
//
// all queued in one submit, then one read of the [R, V] logits.
//
// Sliding: a row whose cache is full (context tokens) cannot take another position, so its window is cut
// to its last ⌊3/4·context⌋ tokens (the new one included) and re-prefilled. Keeping 3/4 means one full
// forward every context/4 tokens instead of every token (what recomputing a sliding window costs), while
// the model still sees most of the text it was conditioned on. Positions restart at 0 after a slide, as
// the model never saw positions past its context in training.
import type { Tensor } from './gpu/runtime.ts';
import type { Gpt } from './gpt.ts';
import { embeddingAt } from './kernels/embedding-at.ts';
import { layernormForward } from './kernels/layernorm.ts';
import { linear } from './kernels/linear-rows.ts';
import { attentionDecode, kvCacheWrite, KV_SKIP } from './kernels/attention-decode.ts';
import { residualAdd } from './kernels/residual.ts';
import { geluForward } from './kernels/gelu.ts';

/** The power-of-two window (≥ 8, ≤ max) a prompt of n tokens is padded to for the full forward. */
export function windowBucket(n: number, max: number): number {
  let b = 8;
  while (b < n) b *= 2;
  return Math.min(b, max);
}

/** Logits elements one batched prefill forward may produce (its logits and d(logits) buffers: 2 × 64 MiB). */
const PREFILL_LOGITS_BUDGET = 16 * 1024 * 1024;

export class KvDecoder {
  readonly rows: number;
  readonly context: number;
  /** Tokens a row keeps when its cache is full and it slides (⌊3/4·context⌋, at least 1). */
  readonly keepOnSlide: number;
  private readonly kCache: Tensor[] = [];
  private readonly vCache: Tensor[] = [];
  /** The tokens in each row's cache, position order. */
  private readonly windows: number[][];
  private readonly all: Tensor[] = [];
  // Step inputs (u32 [R]) and per-step activations ([R, …]), allocated once.
  private readonly tokens: Tensor;
  private readonly positions: Tensor;
  private readonly slots: Tensor;
  private readonly lens: Tensor;
  private readonly x: Tensor;
  private readonly x1: Tensor;
  private readonly ln: Tensor;
  private readonly mean: Tensor;
  private readonly rstd: Tensor;
  private readonly qkv: Tensor;
  private readonly atty: Tensor;
  private readonly proj: Tensor;
  private readonly fch: Tensor;
  private readonly fchGelu: Tensor;
  private readonly logits: Tensor;
  private released = false;
  /** Each row's latest logits (returned again for a row that sits a step out). */
  private last: Float32Array[] = [];

  constructor(
    readonly model: Gpt,
    rows: number,
  ) {
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`KvDecoder: rows must be a positive integer, got ${rows}`);
    const { gpu, config } = model;
    const { contextLength: ctx, channels: C, vocabSize: V } = config;
    this.rows = rows;
    this.context = ctx;
    this.keepOnSlide = Math.max(1, Math.floor((3 * ctx) / 4));
    const t = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32') => {
      const x = gpu.tensor(shape, label, undefined, dtype);
      this.all.push(x);
      return x;
    };
    for (let l = 0; l < config.layers; l++) {
      this.kCache.push(t([rows, ctx, C], `kv.h${l}.k`));
      this.vCache.push(t([rows, ctx, C], `kv.h${l}.v`));
    }
    this.tokens = t([rows], 'kv.tokens', 'u32');
    this.positions = t([rows], 'kv.positions', 'u32');
    this.slots = t([rows], 'kv.slots', 'u32');
    this.lens = t([rows], 'kv.lens', 'u32');
    this.x = t([rows, C], 'kv.x');
    this.x1 = t([rows, C], 'kv.x1');
    this.ln = t([rows, C], 'kv.ln');
    this.mean = t([rows], 'kv.ln.mean');
    this.rstd = t([rows], 'kv.ln.rstd');
    this.qkv = t([rows, 3 * C], 'kv.qkv');
    this.atty = t([rows, C], 'kv.atty');
    this.proj = t([rows, C], 'kv.proj');
    this.fch = t([rows, 4 * C], 'kv.fch');
    this.fchGelu = t([rows, 4 * C], 'kv.fch_gelu');
    this.logits = t([rows, V], 'kv.logits');
    this.windows = Array.from({ length: rows }, () => []);
  }

  /** The tokens row r's next logits are conditioned on (its cache, position order). */
  window(r: number): number[] {
    return [...this.windows[r]];
  }

  /**
   * Starts every row on its prompt (an empty prompt starts from token 0; a prompt longer than the context
   * keeps its last context tokens) and returns each row's next-token logits [V].
   */
  async prefill(rowPrompts: number[][]): Promise<Float32Array[]> {
    this.checkAlive();
    if (rowPrompts.length !== this.rows) throw new Error(`KvDecoder.prefill: ${rowPrompts.length} prompts for ${this.rows} rows`);
    const windows = rowPrompts.map((p) => {
      this.checkIds(p);
      return (p.length ? p : [0]).slice(-this.context);
    });
    this.prefillRows(
      windows.map((_, r) => r),
      windows,
    );
    this.last = await this.readLogits();
    return this.last;
  }

  /**
   * Appends nextIds[r] to row r (each at its own position) and returns every row's next-token logits
   * [V]. A negative id leaves that row as it is for this step (finished rows of a batch); its logits are
   * the ones it had.
   */
  async step(nextIds: number[]): Promise<Float32Array[]> {
    this.checkAlive();
    const { rows: R, context: ctx } = this;
    if (nextIds.length !== R) throw new Error(`KvDecoder.step: ${nextIds.length} ids for ${R} rows`);
    if (this.windows.some((w) => w.length === 0)) throw new Error('KvDecoder.step: call prefill first');
    this.checkIds(nextIds.filter((id) => id >= 0));
    const tokens = new Uint32Array(R);
    const positions = new Uint32Array(R);
    const slots = new Uint32Array(R).fill(KV_SKIP);
    const lens = new Uint32Array(R).fill(1);
    const slid: number[] = [];
    const slidWindows: number[][] = [];
    for (let r = 0; r < R; r++) {
      const id = nextIds[r];
      const w = this.windows[r];
      if (id < 0) continue; // sits out: token 0 at position 0, nothing written, attends to its first key
      tokens[r] = id;
      if (w.length >= ctx) {
        // Full: this row is re-prefilled below (its step output is overwritten), nothing written here.
        slid.push(r);
        slidWindows.push([...w, id].slice(-this.keepOnSlide));
        continue;
      }
      positions[r] = w.length;
      slots[r] = r * ctx + w.length;
      lens[r] = w.length + 1;
      w.push(id);
    }
    const { gpu } = this.model;
    // Uploads first: an upload flushes queued work, and this keeps the step in one submit.
    gpu.upload(this.tokens, tokens);
    gpu.upload(this.positions, positions);
    gpu.upload(this.slots, slots);
    gpu.upload(this.lens, lens);
    this.queueStep();
    if (slid.length) this.prefillRows(slid, slidWindows);
    const previous = this.last;
    const logits = await this.readLogits();
    nextIds.forEach((id, r) => {
      if (id < 0) logits[r] = previous[r];
    });
    this.last = logits;
    return logits;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const t of this.all) t.release();
    this.all.length = 0;
  }

  /** The one-token-per-row forward (inputs already uploaded); logits land in this.logits. */
  private queueStep(): void {
    const { gpu, config } = this.model;
    const R = this.rows;
    const C = config.channels;
    const p = (name: string) => this.model.p(name);
    const ln = { N: R, C };
    embeddingAt(gpu, this.x, this.tokens, this.positions, p('transformer.wte.weight'), p('transformer.wpe.weight'), { R, C });
    for (let i = 0; i < config.layers; i++) {
      const h = `transformer.h.${i}.`;
      layernormForward(gpu, this.ln, this.mean, this.rstd, this.x, p(`${h}ln_1.weight`), p(`${h}ln_1.bias`), ln);
      linear(gpu, this.qkv, this.ln, p(`${h}attn.c_attn.weight`), { bias: p(`${h}attn.c_attn.bias`) });
      const dims = { R, ctx: this.context, C, NH: config.heads };
      kvCacheWrite(gpu, this.kCache[i], this.vCache[i], this.qkv, this.slots, dims);
      attentionDecode(gpu, this.atty, this.qkv, this.kCache[i], this.vCache[i], this.lens, dims);
      linear(gpu, this.proj, this.atty, p(`${h}attn.c_proj.weight`), { bias: p(`${h}attn.c_proj.bias`) });
      residualAdd(gpu, this.x1, this.x, this.proj);
      layernormForward(gpu, this.ln, this.mean, this.rstd, this.x1, p(`${h}ln_2.weight`), p(`${h}ln_2.bias`), ln);
      linear(gpu, this.fch, this.ln, p(`${h}mlp.c_fc.weight`), { bias: p(`${h}mlp.c_fc.bias`) });
      geluForward(gpu, this.fchGelu, this.fch);
      linear(gpu, this.proj, this.fchGelu, p(`${h}mlp.c_proj.weight`), { bias: p(`${h}mlp.c_proj.bias`) });
      residualAdd(gpu, this.x, this.x1, this.proj);
    }
    layernormForward(gpu, this.ln, this.mean, this.rstd, this.x, p('transformer.ln_f.weight'), p('transformer.ln_f.bias'), ln);
    linear(gpu, this.logits, this.ln, p('transformer.wte.weight'), { transW: true });
  }

  /**
   * Restarts rows[i] on windows[i] (each ≤ context tokens) with full forwards: rows sharing a window bucket
   * go through one batched forward (as many as fit PREFILL_LOGITS_BUDGET); every layer's k, v are copied
   * into the caches and each row's last-position logits into this.logits. Queued, not read.
   */
  private prefillRows(rows: number[], windows: number[][]): void {
    const { gpu, config } = this.model;
    const { contextLength: ctx, channels: C, vocabSize: V } = config;
    const byBucket = new Map<number, number[]>();
    rows.forEach((_, i) => {
      const T = windowBucket(windows[i].length, ctx);
      byBucket.set(T, [...(byBucket.get(T) ?? []), i]);
    });
    for (const [T, members] of byBucket) {
      const perForward = Math.max(1, Math.floor(PREFILL_LOGITS_BUDGET / (T * V)));
      for (let start = 0; start < members.length; start += perForward) {
        const group = members.slice(start, start + perForward);
        const B = group.length;
        const tokens = new Uint32Array(B * T);
        const slots = new Uint32Array(B * T).fill(KV_SKIP);
        group.forEach((i, b) => {
          const w = windows[i];
          tokens.set(w, b * T);
          for (let t = 0; t < w.length; t++) slots[b * T + t] = rows[i] * ctx + t;
        });
        const slotT = gpu.tensor([B * T], 'kv.prefill.slots', slots, 'u32');
        const a = this.model.forward(tokens, B, T);
        a.layers.forEach((l, layer) => kvCacheWrite(gpu, this.kCache[layer], this.vCache[layer], l.qkv, slotT, { R: this.rows, ctx, C }));
        group.forEach((i, b) => {
          const last = b * T + windows[i].length - 1;
          gpu.copy(a.logits, this.logits, V * 4, last * V * 4, rows[i] * V * 4);
        });
        slotT.release(); // queue order: the writes above run before any reuse of the buffer
      }
    }
    rows.forEach((r, i) => (this.windows[r] = [...windows[i]]));
  }

  private async readLogits(): Promise<Float32Array[]> {
    const V = this.model.config.vocabSize;
    const all = (await this.logits.read()) as Float32Array;
    return Array.from({ length: this.rows }, (_, r) => all.subarray(r * V, (r + 1) * V));
  }

  private checkIds(ids: number[]): void {
    const V = this.model.config.vocabSize;
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= V);
    if (bad !== undefined) throw new Error(`KvDecoder: token id ${bad} outside the vocabulary [0, ${V})`);
  }

  private checkAlive(): void {
    if (this.released) throw new Error('KvDecoder: used after release()');
  }
}

// The Pretrain panel's state and its conversation with the engine worker and the checkpoint store. The
// components under src/ui/pretrain/ render it; everything heavy (loading and encoding the corpus, training
// the tokenizer, training, sampling) happens in the worker.
import { listCorpora, type BuiltinCorpusId, type CorpusInfo, type CorpusStats, type FactsSize } from '../../data/index.ts';
import { CheckpointStore, type StoredCheckpointInfo } from '../../model/checkpoint/store.ts';
import { PRESETS } from '../../model/train/presets.ts';
import type { History, TokenizerChoice } from '../../model/train/pretrain.ts';
import { FIRST_CHAR_ID, NUM_SPECIAL, toHuggingFace, tokenizerFromJSON, type Tokenizer, type TokenizerState } from '../../model/tokenizer/index.ts';
import { hfConfigJson } from '../../model/checkpoint/index.ts';
import type { EngineEvent, ModelSpec, PretrainResult, RunOutputs, RunSpec, TokenizerBuilt } from '../../model/worker/protocol.ts';
import { EngineError, type EngineClient } from '../engine-client.ts';
import type { MessageKey } from '../i18n.ts';
import { checkConfig, estimateMemory, type ConfigProblem, type FormValues } from './estimate.ts';

/** Something to tell the person: an i18n key with its values, or text that came in both languages. */
export type Msg =
  | { key: MessageKey; params?: Record<string, string | number>; detail?: string }
  | { en: string; zh: string };

export type PresetName = 'tiny' | 'baby-cpu' | 'baby' | 'custom';
export const PRESET_NAMES: readonly PresetName[] = ['tiny', 'baby-cpu', 'baby', 'custom'];

export type RunStatus = 'idle' | 'preparing' | 'running' | 'paused' | 'stopping' | 'done' | 'stopped' | 'diverged' | 'failed' | 'lost';

export interface Sample {
  step: number;
  prompt: string;
  text: string;
}

export interface Curves {
  loss: [number, number][];
  val: [number, number][];
  lr: [number, number][];
  gradNorm: [number, number][];
  tokensPerS: [number, number][];
}

const emptyCurves = (): Curves => ({ loss: [], val: [], lr: [], gradNorm: [], tokensPerS: [] });

export const BPE_MIN = 256;
export const BPE_MAX = 8192;
/** Steps averaged for the ETA. */
const ETA_WINDOW = 20;

function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function presetForm(name: Exclude<PresetName, 'custom'>): FormValues & { beta2: number; weightDecay: number } {
  const p = PRESETS[name];
  return {
    layers: p.layers,
    heads: p.heads,
    channels: p.channels,
    context: p.context,
    batch: p.batch,
    steps: p.steps,
    lr: p.lr,
    warmup: p.warmup,
    evalEvery: p.evalEvery,
    beta2: p.beta2,
    weightDecay: p.weightDecay,
  };
}

function engineMsg(e: unknown): Msg {
  if (e instanceof EngineError && e.code === 'need-corpus') return { key: 'pt.err.needCorpus', params: { file: String(e.detail?.file ?? '') } };
  if (e instanceof EngineError && e.code === 'busy') return { key: 'pt.err.busy', detail: e.message };
  return { key: 'pt.err.engine', params: { message: e instanceof Error ? e.message : String(e) } };
}

export class PretrainController {
  readonly corpora: CorpusInfo[] = listCorpora();

  // ── corpus ──
  corpusId: BuiltinCorpusId | 'file' = $state('builtin:facts');
  factsSize: FactsSize = $state('tiny');
  corpus: { key: string; name: string; stats: CorpusStats } | null = $state(null);
  corpusBusy = $state(false);
  corpusError: Msg | null = $state(null);

  // ── tokenizer ──
  tokKind: 'char' | 'bpe' = $state('char');
  bpeVocab = $state(1024);
  tokenizer: { built: TokenizerBuilt; tok: Tokenizer; choice: TokenizerChoice; corpusKey: string } | null = $state.raw(null);
  tokProgress: number | null = $state(null);
  tokError: Msg | null = $state(null);

  // ── model and training form ──
  preset: PresetName = $state('tiny');
  form: FormValues = $state(presetForm('tiny'));
  private optim = { beta2: PRESETS.tiny.beta2, weightDecay: PRESETS.tiny.weightDecay };
  runName = $state('');
  sampleEvery = $state(PRESETS.tiny.evalEvery);
  samplePrompt = $state('\n');
  sampleTokens = $state(100);
  autosaveEvery = $state(PRESETS.tiny.evalEvery);

  // ── the run ──
  status: RunStatus = $state('idle');
  runId = $state('');
  runLabel = $state('');
  totalSteps = $state(0);
  step = $state(0);
  startStep = $state(0);
  ready: { params: number; vocabSize: number; trainTokens: number; valTokens: number } | null = $state(null);
  runTokProgress: number | null = $state(null);
  message: Msg | null = $state(null);
  warning: Msg | null = $state(null);
  lastAutosave: { step: number; at: number } | null = $state(null);
  etaSeconds: number | null = $state(null);
  curves: Curves = $state.raw(emptyCurves());
  samples: Sample[] = $state.raw([]);
  /** Suggested peak learning rate for resuming (half the diverged one). */
  resumeLr: number | null = $state(null);
  private pending: Curves = emptyCurves();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private stepTimes: number[] = [];

  // ── checkpoints ──
  checkpoints: StoredCheckpointInfo[] = $state.raw([]);
  storeError: Msg | null = $state(null);

  // ── sampling ──
  sampleId = $state('');
  prompt = $state('');
  temperature = $state(0.8);
  topK = $state(40);
  topP = $state(0.95);
  maxTokens = $state(200);
  /** The prompt of the text being shown (the box may have been edited since). */
  genPrompt = $state('');
  genText = $state('');
  genTokens = $state(0);
  genBusy = $state(false);
  genError: Msg | null = $state(null);
  private genId = '';

  private readonly store = new CheckpointStore();
  private offEngine: (() => void) | null = null;
  private offStore: (() => void) | null = null;

  constructor(
    private readonly engine: EngineClient,
    /** The device's maxStorageBufferBindingSize (null when unknown). */
    readonly maxBinding: number | null,
  ) {}

  // ───────────── lifecycle ─────────────

  start(): void {
    this.offEngine = this.engine.on((e) => this.onEvent(e));
    this.offStore = this.store.onChange(() => void this.refreshList());
    void this.refreshList();
    void this.loadCorpus();
  }

  destroy(): void {
    this.offEngine?.();
    this.offStore?.();
    this.store.close();
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
  }

  // ───────────── derived facts ─────────────

  get busy(): boolean {
    return this.status === 'preparing' || this.status === 'running' || this.status === 'paused' || this.status === 'stopping';
  }

  get tokChoice(): TokenizerChoice {
    return this.tokKind === 'char' ? { kind: 'char' } : { kind: 'bpe', vocabSize: this.bpeVocab };
  }

  /** The tokenizer built for the loaded corpus with the current choice, if any. */
  get currentTokenizer(): { built: TokenizerBuilt; tok: Tokenizer } | null {
    const t = this.tokenizer;
    if (!t || !this.corpus || t.corpusKey !== this.corpus.key) return null;
    const c = this.tokChoice;
    if (t.choice.kind !== c.kind || (c.kind === 'bpe' && t.choice.kind === 'bpe' && t.choice.vocabSize !== c.vocabSize)) return null;
    return t;
  }

  /** The vocabulary the model will have: exact once the tokenizer is built, else the char count or the BPE target. */
  get vocabSize(): number {
    const t = this.currentTokenizer;
    if (t) return t.built.vocabSize;
    if (this.tokKind === 'bpe') return this.bpeVocab + NUM_SPECIAL;
    return FIRST_CHAR_ID + (this.corpus?.stats.distinctChars ?? 250);
  }

  get estimate() {
    const f = this.form;
    return estimateMemory({ vocabSize: this.vocabSize, contextLength: f.context, layers: f.layers, heads: f.heads, channels: f.channels }, f.batch);
  }

  get problems(): ConfigProblem[] {
    return checkConfig(this.form, this.vocabSize, this.maxBinding, this.currentTokenizer?.built.tokens ?? null);
  }

  get bpeProblem(): boolean {
    return this.tokKind === 'bpe' && !(Number.isInteger(this.bpeVocab) && this.bpeVocab >= BPE_MIN && this.bpeVocab <= BPE_MAX);
  }

  get canStart(): boolean {
    return !!this.corpus && !this.busy && !this.corpusBusy && this.tokProgress === null && this.problems.length === 0 && !this.bpeProblem;
  }

  /** Stored autosaves of runs that are not training here: interrupted runs that can be resumed. */
  get interrupted(): StoredCheckpointInfo[] {
    return this.checkpoints.filter((c) => c.autosave && c.hasOptimizerState && !(this.busy && c.runId === this.runId));
  }

  /** The loaded corpus's name in `lang` (built-in ones have both; a file has its own name). */
  corpusName(lang: 'en' | 'zh'): string {
    const c = this.corpus;
    if (!c) return '';
    const builtin = this.corpora.find((x) => c.key === x.id || c.key.startsWith(`${x.id}?`));
    return builtin ? builtin.name[lang] : c.name;
  }

  get autoName(): string {
    const corpus = this.corpus?.name ?? 'corpus';
    return `${this.preset === 'custom' ? 'custom' : this.preset} · ${corpus}`;
  }

  // ───────────── corpus and tokenizer ─────────────

  async loadCorpus(): Promise<void> {
    if (this.corpusId === 'file') return;
    const id = this.corpusId;
    await this.corpusRequest({ kind: 'builtin', id, factsSize: id === 'builtin:facts' ? this.factsSize : undefined });
  }

  async loadFile(file: File): Promise<void> {
    let bytes: ArrayBuffer;
    try {
      bytes = await file.arrayBuffer();
    } catch (e) {
      this.corpusError = { key: 'pt.corpus.readError', params: { name: file.name, message: e instanceof Error ? e.message : String(e) } };
      return;
    }
    await this.corpusRequest({ kind: 'file', name: file.name, bytes }, [bytes]);
  }

  private async corpusRequest(
    source: { kind: 'builtin'; id: BuiltinCorpusId; factsSize?: FactsSize } | { kind: 'file'; name: string; bytes: ArrayBuffer },
    transfer?: Transferable[],
  ): Promise<void> {
    this.corpusBusy = true;
    this.corpusError = null;
    try {
      const r = await this.engine.request({ type: 'corpus-load', source, contextLength: source.kind === 'file' ? this.form.context : undefined }, transfer);
      if (r.ok) {
        this.corpus = { key: r.key, name: r.name, stats: r.stats };
        this.corpusId = source.kind === 'file' ? 'file' : source.id;
        this.tokenizer = null;
      } else {
        this.corpusError = { en: r.message, zh: r.messageZh };
      }
    } catch (e) {
      this.corpusError = engineMsg(e);
    } finally {
      this.corpusBusy = false;
    }
  }

  async buildTokenizer(): Promise<void> {
    if (!this.corpus || this.bpeProblem) return;
    const choice = this.tokChoice;
    const corpusKey = this.corpus.key;
    this.tokProgress = 0;
    this.tokError = null;
    try {
      const built = await this.engine.request({ type: 'tokenizer-build', choice });
      this.tokenizer = { built, tok: tokenizerFromJSON(built.state), choice, corpusKey };
    } catch (e) {
      this.tokError = engineMsg(e);
    } finally {
      this.tokProgress = null;
    }
  }

  // ───────────── model form ─────────────

  applyPreset(name: PresetName): void {
    this.preset = name;
    if (name === 'custom') return;
    const p = presetForm(name);
    this.optim = { beta2: p.beta2, weightDecay: p.weightDecay };
    this.form = { layers: p.layers, heads: p.heads, channels: p.channels, context: p.context, batch: p.batch, steps: p.steps, lr: p.lr, warmup: p.warmup, evalEvery: p.evalEvery };
    this.sampleEvery = p.evalEvery;
    this.autosaveEvery = p.evalEvery;
  }

  setField(field: keyof FormValues, value: number): void {
    this.form[field] = value;
    this.preset = 'custom';
  }

  // ───────────── training ─────────────

  private outputs(): RunOutputs {
    return {
      sampleEvery: Math.max(0, Math.floor(this.sampleEvery) || 0),
      samplePrompt: this.samplePrompt,
      sampleTokens: Math.max(1, Math.min(1000, Math.floor(this.sampleTokens) || 100)),
      autosaveEvery: Math.max(0, Math.floor(this.autosaveEvery) || 0),
    };
  }

  async startRun(): Promise<void> {
    if (!this.canStart || !this.corpus) return;
    const f = this.form;
    const model: ModelSpec = { ...f, ...this.optim };
    const name = this.runName.trim() || this.autoName;
    this.resetRun(newId(), name, f.steps);
    await this.runRequest({ kind: 'new', corpusKey: this.corpus.key, name, tokenizer: this.tokChoice, model, ...this.outputs() });
  }

  async resumeRun(info: StoredCheckpointInfo, lr?: number): Promise<void> {
    if (this.busy) return;
    this.resetRun(info.runId ?? newId(), info.name, 0);
    this.startStep = info.step ?? 0;
    this.step = this.startStep;
    await this.runRequest({ kind: 'resume', checkpointId: info.id, lr: lr && lr > 0 ? lr : undefined, ...this.outputs() });
  }

  async discardAutosave(info: StoredCheckpointInfo): Promise<void> {
    await this.guardStore(() => this.store.remove(info.id));
  }

  private resetRun(runId: string, label: string, steps: number): void {
    this.runId = runId;
    this.runLabel = label;
    this.status = 'preparing';
    this.totalSteps = steps;
    this.step = 0;
    this.startStep = 0;
    this.ready = null;
    this.runTokProgress = null;
    this.message = null;
    this.warning = null;
    this.lastAutosave = null;
    this.etaSeconds = null;
    this.resumeLr = null;
    this.pending = emptyCurves();
    this.curves = emptyCurves();
    this.samples = [];
    this.stepTimes = [];
  }

  private async runRequest(spec: RunSpec): Promise<void> {
    const runId = this.runId;
    try {
      const r = await this.engine.request({ type: 'pretrain-start', runId, spec });
      if (this.runId === runId) this.finish(r);
    } catch (e) {
      if (this.runId !== runId) return;
      this.flush();
      if (e instanceof EngineError && e.code === 'device-lost') {
        this.status = 'lost';
        this.message = { key: 'pt.msg.lost', params: { step: this.lastAutosave?.step ?? 0 } };
      } else {
        this.status = 'failed';
        this.message = engineMsg(e);
      }
      this.etaSeconds = null;
      void this.refreshList();
    }
  }

  private finish(r: PretrainResult): void {
    this.flush();
    this.step = r.step;
    this.etaSeconds = null;
    if (r.status === 'done') {
      this.status = 'done';
      this.message = { key: 'pt.msg.done', params: { name: r.checkpoint.name, step: r.step } };
      this.sampleId = r.checkpoint.id;
    } else if (r.status === 'stopped') {
      this.status = 'stopped';
      this.message = r.autosave ? { key: 'pt.msg.stopped', params: { step: r.step } } : { key: 'pt.msg.stoppedNothing' };
    } else {
      this.status = 'diverged';
      // r.step counts the steps completed; the one that failed is the next.
      this.message = { key: r.autosave ? 'pt.msg.diverged' : 'pt.msg.divergedNoSave', params: { step: r.step + 1, saved: r.autosave?.step ?? 0 }, detail: r.message };
      this.resumeLr = this.form.lr / 2;
    }
    void this.refreshList();
  }

  async control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    try {
      await this.engine.request({ type: 'pretrain-control', action });
      if (action === 'resume') this.stepTimes = [];
    } catch (e) {
      this.warning = engineMsg(e);
    }
  }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'tokenizer-progress':
        if (this.tokProgress !== null) this.tokProgress = e.progress;
        return;
      case 'device-lost':
        if (this.busy) this.status = 'lost';
        if (this.genBusy) this.genError = { key: 'pt.err.engine', params: { message: e.reason } };
        return;
      case 'generate-token':
        if (e.genId === this.genId) {
          this.genText = e.text;
          this.genTokens = e.tokens;
        }
        return;
    }
    if (!('runId' in e) || e.runId !== this.runId) return;
    switch (e.type) {
      case 'pretrain-state':
        if (this.busy) this.status = e.state;
        if (e.state !== 'running') this.etaSeconds = null;
        this.stepTimes = [];
        return;
      case 'pretrain-plan':
        this.totalSteps = e.steps;
        this.runLabel = e.name;
        return;
      case 'pretrain-history':
        this.pending = emptyCurves();
        this.curves = historyCurves(e.history);
        return;
      case 'autosaved':
        this.lastAutosave = { step: e.step, at: Date.now() };
        return;
      case 'autosave-failed':
        this.warning = { key: 'pt.warn.autosave', params: { step: e.step, message: e.message } };
        return;
      case 'pretrain':
        break;
      default:
        return;
    }
    const ev = e.event;
    if (ev.type === 'tokenizer') this.runTokProgress = ev.progress;
    else if (ev.type === 'ready') {
      this.runTokProgress = null;
      this.ready = { params: ev.params, vocabSize: ev.vocabSize, trainTokens: ev.trainTokens, valTokens: ev.valTokens };
      this.startStep = ev.startStep;
      this.step = ev.startStep;
    } else if (ev.type === 'step') {
      this.step = ev.step;
      this.pending.loss.push([ev.step, ev.loss]);
      this.pending.lr.push([ev.step, ev.lr]);
      this.pending.gradNorm.push([ev.step, ev.gradNorm]);
      this.pending.tokensPerS.push([ev.step, ev.tokensPerS]);
      this.updateEta();
      this.scheduleFlush();
    } else if (ev.type === 'eval') {
      this.pending.val.push([ev.step, ev.valLoss]);
      this.scheduleFlush();
    } else if (ev.type === 'sample') {
      this.samples = [{ step: ev.step, prompt: ev.prompt, text: ev.text }, ...this.samples];
    }
  }

  private updateEta(): void {
    const now = performance.now();
    this.stepTimes.push(now);
    if (this.stepTimes.length > ETA_WINDOW) this.stepTimes.shift();
    const n = this.stepTimes.length;
    if (n < 2 || this.totalSteps <= 0) return;
    const perStep = (this.stepTimes[n - 1] - this.stepTimes[0]) / (n - 1) / 1000;
    this.etaSeconds = Math.max(0, (this.totalSteps - this.step) * perStep);
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, 120);
  }

  /** Moves buffered points into the curves the charts draw (at most ~8 times a second). */
  private flush(): void {
    const p = this.pending;
    if (!p.loss.length && !p.val.length && !p.lr.length) return;
    const c = this.curves;
    this.curves = {
      loss: c.loss.concat(p.loss),
      val: c.val.concat(p.val),
      lr: c.lr.concat(p.lr),
      gradNorm: c.gradNorm.concat(p.gradNorm),
      tokensPerS: c.tokensPerS.concat(p.tokensPerS),
    };
    this.pending = emptyCurves();
  }

  // ───────────── checkpoints ─────────────

  async refreshList(): Promise<void> {
    try {
      this.checkpoints = await this.store.list();
      if (this.sampleId && !this.checkpoints.some((c) => c.id === this.sampleId)) this.sampleId = '';
      if (!this.sampleId) this.sampleId = this.checkpoints.find((c) => !c.autosave)?.id ?? this.checkpoints[0]?.id ?? '';
    } catch (e) {
      this.storeError = { key: 'pt.err.store', params: { message: e instanceof Error ? e.message : String(e) } };
    }
  }

  private async guardStore<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.storeError = null;
    try {
      return await fn();
    } catch (e) {
      this.storeError = { key: 'pt.err.store', params: { message: e instanceof Error ? e.message : String(e) } };
      return undefined;
    } finally {
      void this.refreshList();
    }
  }

  rename(id: string, name: string): Promise<unknown> {
    return this.guardStore(() => this.store.rename(id, name));
  }

  remove(id: string): Promise<unknown> {
    return this.guardStore(() => this.store.remove(id));
  }

  async download(id: string): Promise<void> {
    const file = await this.guardStore(() => this.store.exportFile(id));
    if (file) saveFile(file);
  }

  /** The Hugging Face side files: tokenizer.json and config.json, to sit beside the .safetensors. */
  async downloadHf(id: string): Promise<void> {
    const ckpt = await this.guardStore(() => this.store.load(id));
    if (!ckpt) return;
    const json = (name: string, value: unknown) => new File([JSON.stringify(value, null, 2)], name, { type: 'application/json' });
    saveFile(json('config.json', hfConfigJson(ckpt.config)));
    if (ckpt.meta.tokenizer) saveFile(json('tokenizer.json', toHuggingFace(tokenizerFromJSON(ckpt.meta.tokenizer as TokenizerState))));
  }

  async upload(file: File): Promise<void> {
    const info = await this.guardStore(() => this.store.importFile(file));
    if (info) this.sampleId = info.id;
  }

  // ───────────── sampling ─────────────

  get canGenerate(): boolean {
    return !!this.sampleId && !this.genBusy && (!this.busy || this.status === 'paused');
  }

  async generate(): Promise<void> {
    if (!this.canGenerate) return;
    const genId = newId();
    this.genId = genId;
    this.genBusy = true;
    this.genPrompt = this.prompt;
    this.genText = '';
    this.genTokens = 0;
    this.genError = null;
    try {
      const r = await this.engine.request({
        type: 'generate',
        genId,
        checkpointId: this.sampleId,
        prompt: this.prompt,
        temperature: Math.max(0, Number(this.temperature) || 0),
        topK: Math.max(0, Math.floor(Number(this.topK) || 0)),
        topP: Math.min(1, Math.max(0.01, Number(this.topP) || 1)),
        maxTokens: Math.max(1, Math.min(2000, Math.floor(Number(this.maxTokens) || 1))),
        seed: Math.floor(Math.random() * 2 ** 31),
      });
      if (this.genId === genId) {
        this.genText = r.text;
        this.genTokens = r.tokens;
      }
    } catch (e) {
      if (this.genId === genId) this.genError = engineMsg(e);
    } finally {
      if (this.genId === genId) this.genBusy = false;
    }
  }

  stopGenerate(): void {
    if (this.genBusy) void this.engine.request({ type: 'generate-stop', genId: this.genId }).catch(() => {});
  }
}

function historyCurves(h: History): Curves {
  return {
    loss: h.steps.map((s) => [s.step, s.loss]),
    val: h.evals.map((e) => [e.step, e.valLoss]),
    lr: h.steps.map((s) => [s.step, s.lr]),
    gradNorm: h.steps.map((s) => [s.step, s.gradNorm]),
    tokensPerS: h.steps.map((s) => [s.step, s.tokensPerS]),
  };
}

/** Hands a file to the browser's download. */
function saveFile(file: File): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

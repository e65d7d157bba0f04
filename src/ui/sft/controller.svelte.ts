// The SFT panel's state and its conversation with the engine worker and the checkpoint store: the base
// model, the run, and asking. The data (builtin:facts-qa or imported JSONL, edited in the table) is
// data.svelte.ts, held here in the page; 'sft-start' sends its pairs to the worker, which fine-tunes a stored
// checkpoint into a new 'sft' one. The components under src/ui/sft/ render this state.
import { CheckpointStore, type StoredCheckpointInfo } from '../../model/checkpoint/store.ts';
import { tokenizerFromJSON, type Tokenizer, type TokenizerState } from '../../model/tokenizer/index.ts';
import type { EngineEvent } from '../../model/worker/protocol.ts';
import { fitPairs } from '../../model/worker/sft-data.ts';
import type { SftEvaluation, SftPhase, SftResult, SftSpec } from '../../model/worker/sft-protocol.ts';
import { EngineError, type EngineClient } from '../engine-client.ts';
import type { Curves, Msg } from '../pretrain/controller.svelte.ts';
import { unknownChars } from './coverage.ts';
import { SftAsk } from './ask.svelte.ts';
import { SftData } from './data.svelte.ts';
import { evalSets, worldKeyFor } from './dataset.ts';

export type SftStatus = 'idle' | 'preparing' | 'running' | 'paused' | 'stopping' | 'done' | 'stopped' | 'diverged' | 'failed' | 'lost';

const emptyCurves = (): Curves => ({ loss: [], val: [], lr: [], gradNorm: [], tokensPerS: [] });
const ETA_WINDOW = 20;

function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function engineMsg(e: unknown): Msg {
  if (e instanceof EngineError && e.code === 'busy') return { key: 'sft.err.busy', detail: e.message };
  if (e instanceof EngineError && e.code === 'bad-data') return { key: 'sft.err.badData', params: { message: e.message } };
  return { key: 'sft.err.engine', params: { message: e instanceof Error ? e.message : String(e) } };
}

export class SftController {
  // ── the base checkpoint ──
  checkpoints: StoredCheckpointInfo[] = $state.raw([]);
  storeError: Msg | null = $state(null);
  baseId = $state('');
  base: { id: string; name: string; tokenizer: Tokenizer; contextLength: number; world: string } | null = $state.raw(null);
  baseBusy = $state(false);
  baseError: Msg | null = $state(null);

  /** The Q&A pairs, edited in the page. */
  readonly data = new SftData();

  // ── the run's settings ──
  name = $state('');
  steps = $state(60);
  batch = $state(8);
  lr = $state(1e-3);
  warmup = $state(5);
  evalEvery = $state(10);
  autosaveEvery = $state(20);
  maxAnswerTokens = $state(48);
  /** Held-out and trained questions asked before and after (each). */
  probe = $state(12);
  tooLong: 'truncate' | 'skip' = $state('truncate');
  skipUnknown = $state(false);

  // ── the run ──
  status: SftStatus = $state('idle');
  runId = $state('');
  phase: SftPhase | null = $state(null);
  phaseDone = $state(0);
  phaseTotal = $state(0);
  step = $state(0);
  totalSteps = $state(0);
  etaSeconds: number | null = $state(null);
  ready: Extract<EngineEvent, { type: 'sft-ready' }> | null = $state.raw(null);
  curves: Curves = $state.raw(emptyCurves());
  before: SftEvaluation | null = $state.raw(null);
  after: SftEvaluation | null = $state.raw(null);
  message: Msg | null = $state(null);
  warning: Msg | null = $state(null);
  lastAutosave: number | null = $state(null);
  private stepTimes: number[] = [];

  // ── ask ──
  readonly asking: SftAsk;

  private readonly store = new CheckpointStore();
  private offEngine: (() => void) | null = null;
  private offStore: (() => void) | null = null;

  constructor(private readonly engine: EngineClient) {
    this.asking = new SftAsk(engine, () => this.busy && this.status !== 'paused', engineMsg);
  }

  start(): void {
    this.offEngine = this.engine.on((e) => this.onEvent(e));
    this.offStore = this.store.onChange(() => void this.refreshList());
    this.data.init();
    void this.refreshList();
  }

  destroy(): void {
    this.data.flush();
    this.offEngine?.();
    this.offStore?.();
    this.store.close();
  }

  // ───────────── derived facts ─────────────

  get busy(): boolean {
    return this.status === 'preparing' || this.status === 'running' || this.status === 'paused' || this.status === 'stopping';
  }

  /** Characters of the data the base's tokenizer cannot encode (char tokenizers only). */
  readonly coverage = $derived.by(() => (this.base ? unknownChars(this.base.tokenizer, this.data.rows.map((r) => r.pair)) : null));

  /** How the training pairs fit the base's context. */
  readonly fit = $derived.by(() => {
    const b = this.base;
    if (!b) return null;
    const train = this.data.trainPairs;
    const { truncated, skipped } = fitPairs(b.tokenizer, train, b.contextLength, this.tooLong);
    return { truncated, skipped, total: train.length };
  });

  get canStart(): boolean {
    return !!this.base && !this.busy && !this.baseBusy && this.data.trainCount > 0 && this.steps >= 1 && this.batch >= 1 && this.lr > 0;
  }

  // ───────────── checkpoints and the base ─────────────

  async refreshList(): Promise<void> {
    try {
      this.checkpoints = await this.store.list();
      const has = (id: string) => this.checkpoints.some((c) => c.id === id);
      if (!this.baseId || !has(this.baseId)) {
        const pick = this.checkpoints.find((c) => c.stage === 'base' && !c.autosave) ?? this.checkpoints.find((c) => !c.autosave);
        if (pick) void this.selectBase(pick.id);
        else {
          this.baseId = '';
          this.base = null;
        }
      }
      const a = this.asking;
      if (!a.modelId || !has(a.modelId)) a.modelId = this.checkpoints.find((c) => c.stage === 'sft' && !c.autosave)?.id ?? this.baseId;
      if (a.compareId && !has(a.compareId)) a.compareId = '';
      if (!a.compareId) a.compareId = this.parentOf(a.modelId) ?? '';
    } catch (e) {
      this.storeError = { key: 'sft.err.store', params: { message: e instanceof Error ? e.message : String(e) } };
    }
  }

  /** The stored checkpoint `id` was fine-tuned from, when it is still stored. */
  parentOf(id: string): string | null {
    const p = this.checkpoints.find((c) => c.id === id)?.parentId;
    return p && this.checkpoints.some((c) => c.id === p) ? p : null;
  }

  /** Picks the base model: loads its tokenizer (for the token views and checks) and its facts world. */
  async selectBase(id: string): Promise<void> {
    this.baseId = id;
    this.baseError = null;
    const info = this.checkpoints.find((c) => c.id === id);
    if (!info) return;
    this.baseBusy = true;
    try {
      const ckpt = await this.store.load(id);
      if (this.baseId !== id) return;
      if (!ckpt.meta.tokenizer) {
        this.base = null;
        this.baseError = { key: 'sft.base.noTokenizer', params: { name: info.name } };
        return;
      }
      const tokenizer = tokenizerFromJSON(ckpt.meta.tokenizer as TokenizerState);
      const world = worldKeyFor(ckpt.meta.lineage);
      this.base = { id, name: info.name, tokenizer, contextLength: ckpt.config.contextLength, world };
      // Unedited built-in data follows the base's world; edited or imported data is never replaced.
      const d = this.data;
      if (!d.edited && d.source === 'builtin:facts-qa' && d.world !== world) d.reset(world);
    } catch (e) {
      if (this.baseId === id) {
        this.base = null;
        this.baseError = { key: 'sft.err.store', params: { message: e instanceof Error ? e.message : String(e) } };
      }
    } finally {
      if (this.baseId === id) this.baseBusy = false;
    }
  }

  // ───────────── the data ─────────────

  /** builtin:facts-qa again, for the base's world. */
  resetData(): void {
    this.data.reset(this.base?.world ?? worldKeyFor([]));
  }

  // ───────────── fine-tuning ─────────────

  get autoName(): string {
    return `${this.base?.name ?? 'base'} · sft`;
  }

  async startRun(): Promise<void> {
    const base = this.base;
    if (!this.canStart || !base) return;
    const sets = evalSets(this.data.rows, Math.max(0, Math.floor(this.probe) || 0));
    let train = sets.train;
    if (this.skipUnknown && base.tokenizer.kind === 'char') {
      const bad = new Set(unknownChars(base.tokenizer, train).affected);
      train = train.filter((_, i) => !bad.has(i));
    }
    if (train.length === 0) {
      this.status = 'failed';
      this.message = { key: 'sft.err.noTrain' };
      return;
    }
    const name = this.name.trim() || this.autoName;
    const spec: SftSpec = {
      baseId: base.id,
      name,
      data: this.data.label,
      train,
      heldOut: sets.heldOut,
      trainedProbe: sets.trainedProbe,
      world: this.data.world,
      tooLong: this.tooLong,
      examples: sets.examples,
      settings: {
        steps: Math.floor(this.steps),
        batch: Math.floor(this.batch),
        lr: Number(this.lr),
        warmup: Math.max(0, Math.floor(this.warmup) || 0),
        evalEvery: Math.max(0, Math.floor(this.evalEvery) || 0),
        autosaveEvery: Math.max(0, Math.floor(this.autosaveEvery) || 0),
        maxAnswerTokens: Math.max(1, Math.floor(this.maxAnswerTokens) || 1),
      },
    };
    const runId = newId();
    this.resetRun(runId, spec.settings.steps);
    try {
      const r = await this.engine.request({ type: 'sft-start', runId, spec });
      if (this.runId === runId) this.finish(r);
    } catch (e) {
      if (this.runId !== runId) return;
      this.flushEta();
      if (e instanceof EngineError && e.code === 'device-lost') {
        this.status = 'lost';
        this.message = { key: 'sft.msg.lost', params: { step: this.lastAutosave ?? 0 } };
      } else {
        this.status = 'failed';
        this.message = engineMsg(e);
      }
      void this.refreshList();
    }
  }

  private resetRun(runId: string, steps: number): void {
    this.runId = runId;
    this.status = 'preparing';
    this.phase = 'loading';
    this.phaseDone = 0;
    this.phaseTotal = 0;
    this.step = 0;
    this.totalSteps = steps;
    this.ready = null;
    this.curves = emptyCurves();
    this.before = null;
    this.after = null;
    this.message = null;
    this.warning = null;
    this.lastAutosave = null;
    this.flushEta();
  }

  private flushEta(): void {
    this.etaSeconds = null;
    this.stepTimes = [];
  }

  private finish(r: SftResult): void {
    this.flushEta();
    this.phase = null;
    this.step = r.step;
    if (r.status === 'done') {
      this.status = 'done';
      this.message = { key: 'sft.msg.done', params: { name: r.checkpoint.name, step: r.step } };
      this.asking.modelId = r.checkpoint.id;
      this.asking.compareId = this.baseId;
    } else if (r.status === 'stopped') {
      this.status = 'stopped';
      this.message = r.autosave ? { key: 'sft.msg.stopped', params: { step: r.step } } : { key: 'sft.msg.stoppedNothing' };
    } else {
      this.status = 'diverged';
      this.message = { key: r.autosave ? 'sft.msg.diverged' : 'sft.msg.divergedNoSave', params: { step: r.step + 1, lr: this.lr / 2 }, detail: r.message };
    }
    void this.refreshList();
  }

  async control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    try {
      await this.engine.request({ type: 'sft-control', action });
      if (action === 'resume') this.stepTimes = [];
    } catch (e) {
      this.warning = engineMsg(e);
    }
  }

  private onEvent(e: EngineEvent): void {
    this.asking.onEvent(e);
    if (e.type === 'device-lost' && this.busy) this.status = 'lost';
    if (!('runId' in e) || e.runId !== this.runId) return;
    switch (e.type) {
      case 'sft-ready':
        this.ready = e;
        this.totalSteps = e.steps;
        return;
      case 'sft-phase':
        this.phase = e.phase;
        this.phaseDone = e.done ?? 0;
        this.phaseTotal = e.total ?? 0;
        if (this.status === 'preparing' && e.phase !== 'loading') this.status = 'running';
        return;
      case 'sft-state':
        if (this.busy) this.status = e.state;
        if (e.state !== 'running') this.etaSeconds = null;
        this.stepTimes = [];
        return;
      case 'sft-step':
        this.step = e.step;
        this.curves = {
          loss: [...this.curves.loss, [e.step, e.loss]],
          val: this.curves.val,
          lr: [...this.curves.lr, [e.step, e.lr]],
          gradNorm: [...this.curves.gradNorm, [e.step, e.gradNorm]],
          tokensPerS: [...this.curves.tokensPerS, [e.step, e.tokensPerS]],
        };
        this.updateEta();
        return;
      case 'sft-eval':
        if (Number.isFinite(e.valLoss)) this.curves = { ...this.curves, val: [...this.curves.val, [e.step, e.valLoss]] };
        if (e.when === 'before') this.before = e;
        else if (e.when === 'after') this.after = e;
        return;
      case 'sft-autosaved':
        this.lastAutosave = e.step;
        return;
      case 'sft-autosave-failed':
        this.warning = { key: 'sft.warn.autosave', params: { step: e.step, message: e.message } };
        return;
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
}

/** Hands a file to the browser's download. */
export function saveFile(file: File): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

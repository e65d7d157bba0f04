// The Compare panel's state and its conversation with the engine worker and the checkpoint store. The
// components under src/ui/compare/ render it; generation, scoring and attention run in the worker.
import type { StoredCheckpointInfo } from '../../model/checkpoint/store.ts';
import { CheckpointStore } from '../../model/checkpoint/store.ts';
import type { CompareColumnSpec, CompareSettings } from '../../model/worker/compare-protocol.ts';
import type { EngineEvent } from '../../model/worker/protocol.ts';
import { EngineError, type EngineClient } from '../engine-client.ts';
import type { Msg } from '../pretrain/controller.svelte.ts';
import { logprobDiff } from './colors.ts';
import { defaultChat, diffProblem, initialPicks, MAX_COLUMNS, MIN_COLUMNS, tokenizerGroups, type DiffProblem } from './columns.ts';
import { addSaved, loadSaved, removeSaved, storeSaved, type ChatChoice, type SavedPrompt } from './prompts.ts';
import type { ColumnResult, ColumnSetup, DiffState, HeatState } from './types.ts';

export type { ColumnResult, ColumnSetup, ColumnStart, DiffState, HeatState, TokenInfo } from './types.ts';

function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

function engineMsg(e: unknown): Msg {
  if (e instanceof EngineError && e.code === 'busy') return { key: 'compare.err.busy', detail: e.message };
  if (e instanceof EngineError && e.code === 'missing') return { key: 'compare.err.missing' };
  return { key: 'compare.err.engine', params: { message: e instanceof Error ? e.message : String(e) } };
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Results are redrawn at most this often while tokens stream (ms). */
const FLUSH_MS = 60;

/** A comparison another part of the page asks for (the guided tour): these columns, this prompt, generated. */
export interface CompareRequest {
  columns: { checkpointId: string; chat: boolean }[];
  prompt: string;
}

/** The request not yet taken by a Compare panel, and the panels' listeners (one panel in the app). */
let pendingRequest: CompareRequest | null = null;
const requestListeners = new Set<(r: CompareRequest) => void>();

/** Opens a comparison in the Compare panel (now, or as soon as it starts) and generates it. */
export function requestComparison(r: CompareRequest): void {
  pendingRequest = r;
  for (const fn of requestListeners) fn(r);
}

export class CompareController {
  // ── checkpoints and columns ──
  checkpoints: StoredCheckpointInfo[] = $state.raw([]);
  listed = $state(false);
  storeError: Msg | null = $state(null);
  setups: ColumnSetup[] = $state([]);

  // ── prompt and settings ──
  prompt = $state('A banana is');
  temperature = $state(0.8);
  topK = $state(40);
  topP = $state(1);
  maxTokens = $state(40);
  seed = $state(randomSeed());
  stopAtEnd = $state(true);
  saved: SavedPrompt[] = $state.raw(loadSaved(storage()));
  savedError = $state(false);

  // ── the run ──
  running = $state(false);
  error: Msg | null = $state(null);
  results: ColumnResult[] = $state.raw([]);
  /** The prompt and settings of the results shown. */
  shownPrompt = $state('');
  diff: Record<string, DiffState> = $state({});
  heat: HeatState = $state({ colId: '', layer: 0, head: 0, busy: false, error: null, result: null });

  private runId = '';
  /** performance.now() when the running comparison started, and its token budget (columns × max tokens). */
  private startedAt = 0;
  private budget = 0;
  /** The columns were picked automatically and not touched since: follow the list as checkpoints come and go. */
  private autoPicked = true;
  /** Columns of the running comparison, mutated by events and copied into `results` by flush(). */
  private live = new Map<string, ColumnResult>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly store = new CheckpointStore();
  private offEngine: (() => void) | null = null;
  private offStore: (() => void) | null = null;
  private readonly onRequest = (r: CompareRequest) => void this.showRequested(r);

  constructor(private readonly engine: EngineClient) {}

  start(): void {
    this.offEngine = this.engine.on((e) => this.onEvent(e));
    this.offStore = this.store.onChange(() => void this.refreshList());
    requestListeners.add(this.onRequest);
    if (pendingRequest) void this.showRequested(pendingRequest);
    else void this.refreshList();
  }

  destroy(): void {
    requestListeners.delete(this.onRequest);
    this.offEngine?.();
    this.offStore?.();
    this.store.close();
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
  }

  // ───────────── checkpoints and columns ─────────────

  async refreshList(): Promise<void> {
    try {
      this.checkpoints = await this.store.list();
      this.listed = true;
      this.storeError = null;
    } catch (e) {
      this.storeError = { key: 'compare.err.store', params: { message: e instanceof Error ? e.message : String(e) } };
      return;
    }
    if ((this.autoPicked || this.setups.length === 0) && !this.running) {
      this.autoPicked = true;
      const picks = initialPicks(this.checkpoints);
      const same = picks.length === this.setups.length && picks.every((p, i) => p.checkpointId === this.setups[i].checkpointId && p.chat === this.setups[i].chat);
      if (!same) this.setups = picks.map((p) => ({ colId: newId(), ...p, chatTouched: false }));
    }
  }

  info(checkpointId: string): StoredCheckpointInfo | undefined {
    return this.checkpoints.find((c) => c.id === checkpointId);
  }

  /** Gone from storage (deleted here or in another tab) since it was picked. */
  isDeleted(checkpointId: string): boolean {
    return this.listed && !!checkpointId && !this.info(checkpointId);
  }

  addColumn(): void {
    if (this.setups.length >= MAX_COLUMNS || !this.checkpoints.length) return;
    const c = this.checkpoints.find((x) => !this.setups.some((s) => s.checkpointId === x.id)) ?? this.checkpoints[0];
    this.autoPicked = false;
    this.setups.push({ colId: newId(), checkpointId: c.id, chat: defaultChat(c.stage), chatTouched: false });
  }

  removeColumn(colId: string): void {
    if (this.setups.length <= MIN_COLUMNS) return;
    this.autoPicked = false;
    this.setups = this.setups.filter((s) => s.colId !== colId);
  }

  pick(colId: string, checkpointId: string): void {
    const s = this.setups.find((x) => x.colId === colId);
    if (!s) return;
    this.autoPicked = false;
    s.checkpointId = checkpointId;
    if (!s.chatTouched) s.chat = defaultChat(this.info(checkpointId)?.stage);
  }

  setChat(colId: string, on: boolean): void {
    const s = this.setups.find((x) => x.colId === colId);
    if (!s) return;
    this.autoPicked = false;
    s.chat = on;
    s.chatTouched = true;
  }

  /** Sets up the requested columns and prompt (the checkpoints may be brand new: the list is read first) and generates. */
  async showRequested(r: CompareRequest): Promise<void> {
    if (pendingRequest === r) pendingRequest = null;
    this.cancel();
    await this.refreshList();
    this.autoPicked = false;
    this.setups = r.columns.slice(0, MAX_COLUMNS).map((c) => ({ colId: newId(), checkpointId: c.checkpointId, chat: c.chat, chatTouched: true }));
    this.prompt = r.prompt;
    // A comparison still stopping holds the GPU for a moment: wait for it rather than be refused.
    for (let i = 0; i < 100 && this.running; i++) await new Promise((ok) => setTimeout(ok, 50));
    await this.generate();
  }

  // ───────────── prompt lab ─────────────

  usePrompt(text: string, chat: ChatChoice = 'keep'): void {
    this.prompt = text;
    if (chat !== 'keep') for (const s of this.setups) this.setChat(s.colId, chat === 'on');
  }

  savePrompt(): void {
    this.persist(addSaved(this.saved, this.prompt, newId()));
  }

  deletePrompt(id: string): void {
    this.persist(removeSaved(this.saved, id));
  }

  private persist(list: SavedPrompt[]): void {
    this.saved = list;
    this.savedError = !storeSaved(storage(), list);
  }

  // ───────────── generation ─────────────

  get setupProblem(): Msg | null {
    if (!this.listed) return null;
    if (!this.checkpoints.length) return { key: 'compare.cols.none' };
    if (this.setups.length < MIN_COLUMNS) return { key: 'compare.cols.needTwo' };
    if (this.setups.some((s) => this.isDeleted(s.checkpointId) || !s.checkpointId)) return { key: 'compare.cols.pickAgain' };
    return null;
  }

  get canGenerate(): boolean {
    return !this.running && this.listed && this.setupProblem === null;
  }

  settings(): CompareSettings {
    const int = (v: unknown, lo: number, hi: number, dflt: number) => Math.min(hi, Math.max(lo, Math.floor(Number(v)) || dflt));
    return {
      temperature: Math.min(5, Math.max(0, Number(this.temperature) || 0)),
      topK: int(this.topK, 0, 100_000, 0),
      topP: Math.min(1, Math.max(0.01, Number(this.topP) || 1)),
      maxTokens: int(this.maxTokens, 1, 1000, 40),
      seed: int(this.seed, 0, 2 ** 31 - 1, 0),
      stopAtEnd: this.stopAtEnd,
    };
  }

  newSeed(): void {
    this.seed = randomSeed();
  }

  async generate(): Promise<void> {
    if (!this.canGenerate) return;
    const runId = newId();
    this.runId = runId;
    this.running = true;
    this.autoPicked = false; // the columns now belong to a shown comparison: keep them (a deleted one says so)
    this.error = null;
    this.diff = {};
    this.heat = { ...this.heat, busy: false, error: null, result: null };
    this.shownPrompt = this.prompt;
    const settings = this.settings();
    this.startedAt = performance.now();
    this.budget = settings.maxTokens * this.setups.length;
    const columns: CompareColumnSpec[] = this.setups.map((s) => ({ colId: s.colId, checkpointId: s.checkpointId, chat: s.chat }));
    this.live = new Map(
      this.setups.map((s) => {
        const info = this.info(s.checkpointId);
        const r: ColumnResult = { colId: s.colId, checkpointId: s.checkpointId, name: info?.name ?? '', stage: info?.stage ?? null, chat: s.chat, status: 'waiting', message: null, start: null, tokens: [], text: '' };
        return [s.colId, r];
      }),
    );
    this.flush();
    try {
      const r = await this.engine.request({ type: 'compare-generate', runId, prompt: this.prompt, columns, settings });
      if (this.runId !== runId) return;
      for (const c of r.columns) {
        const col = this.live.get(c.colId);
        if (col && (col.status === 'waiting' || col.status === 'running')) col.status = c.reason;
      }
    } catch (e) {
      if (this.runId !== runId) return;
      this.error = engineMsg(e);
      for (const col of this.live.values()) if (col.status === 'waiting' || col.status === 'running') col.status = 'error';
    } finally {
      if (this.runId === runId) {
        this.running = false;
        this.flush();
        if (!this.heat.colId || !this.results.some((c) => c.colId === this.heat.colId)) this.heat.colId = this.results.find((c) => c.start)?.colId ?? '';
      }
    }
  }

  cancel(): void {
    if (this.running) void this.engine.request({ type: 'compare-stop', runId: this.runId }).catch(() => {});
  }

  private onEvent(e: EngineEvent): void {
    if (e.type === 'device-lost') {
      if (this.running) this.error = { key: 'compare.err.engine', params: { message: e.reason } };
      return;
    }
    if (!('runId' in e) || e.runId !== this.runId) return;
    if (e.type !== 'compare-column-start' && e.type !== 'compare-token' && e.type !== 'compare-column-end') return;
    const col = this.live.get(e.colId);
    if (!col) return;
    if (e.type === 'compare-column-start') {
      const { type: _t, runId: _r, colId: _c, ...start } = e;
      col.start = start;
      col.status = 'running';
    } else if (e.type === 'compare-token') {
      col.tokens.push({ id: e.id, piece: e.piece, special: e.special, logp: e.logp, top: e.top });
      col.text = e.text;
    } else {
      col.status = e.reason;
      col.message = e.message ?? null;
    }
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Copies the live columns into `results` (new objects, so the view redraws). */
  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.results = [...this.live.values()].map((c) => ({ ...c, tokens: [...c.tokens] }));
  }

  /**
   * How far the running comparison is: tokens written of the budget (a column that ended early gives up the
   * rest of its share), and the seconds left at the rate so far (null until a few tokens are in).
   */
  get progress(): { done: number; total: number; etaSeconds: number | null } {
    let done = 0;
    let total = 0;
    const share = this.results.length ? this.budget / this.results.length : 0;
    for (const r of this.results) {
      done += r.tokens.length;
      total += r.status === 'waiting' || r.status === 'running' ? share : r.tokens.length;
    }
    const seconds = (performance.now() - this.startedAt) / 1000;
    const etaSeconds = done >= 4 && seconds > 0 ? ((total - done) * seconds) / done : null;
    return { done, total: Math.max(total, done), etaSeconds };
  }

  // ───────────── derived facts about the results ─────────────

  /** Tokenizer group per result column (1, 2, …): columns with different numbers split text differently. */
  get groups(): number[] {
    return tokenizerGroups(this.results.map((r) => r.start?.fingerprint ?? null));
  }

  get mixedTokenizers(): boolean {
    return new Set(this.groups.filter((g) => g > 0)).size > 1;
  }

  private side(r: ColumnResult) {
    return {
      colId: r.colId,
      busy: r.status === 'waiting' || r.status === 'running' || this.running,
      fingerprint: r.start?.fingerprint ?? null,
      deleted: this.isDeleted(r.checkpointId),
    };
  }

  diffProblem(colId: string, against: string): DiffProblem | null {
    const a = this.results.find((r) => r.colId === colId);
    const b = this.results.find((r) => r.colId === against);
    if (!a || !b) return 'unfinished';
    return diffProblem(this.side(a), this.side(b));
  }

  // ───────────── log-probability difference ─────────────

  /** Scores column `colId`'s tokens under column `against`'s model (null: turn the comparison off). */
  async showDiff(colId: string, against: string | null): Promise<void> {
    if (against === null) {
      delete this.diff[colId];
      return;
    }
    const a = this.results.find((r) => r.colId === colId);
    const b = this.results.find((r) => r.colId === against);
    const state: DiffState = { against, busy: false, values: null, error: null };
    this.diff[colId] = state;
    if (!a?.start || !b || this.diffProblem(colId, against) !== null) return;
    const runId = this.runId;
    this.diff[colId].busy = true;
    try {
      const ids = [...a.start.promptIds, ...a.tokens.map((t) => t.id)];
      const r = await this.engine.request({ type: 'compare-score', checkpointId: b.checkpointId, ids, from: a.start.promptIds.length, fingerprint: a.start.fingerprint });
      if (this.runId !== runId || this.diff[colId]?.against !== against) return;
      this.diff[colId].values = logprobDiff(r.logprobs, a.tokens.map((t) => t.logp));
    } catch (e) {
      if (this.diff[colId]?.against === against) this.diff[colId].error = engineMsg(e);
    } finally {
      if (this.diff[colId]?.against === against) this.diff[colId].busy = false;
    }
  }

  // ───────────── attention heatmap ─────────────

  async showAttention(): Promise<void> {
    const h = this.heat;
    const r = this.results.find((c) => c.colId === h.colId);
    if (!r?.start || this.running || h.busy) return;
    if (this.isDeleted(r.checkpointId)) {
      h.error = { key: 'compare.err.deletedShort', params: { name: r.name } };
      return;
    }
    const layer = Math.min(Math.max(0, h.layer), r.start.layers - 1);
    const head = Math.min(Math.max(0, h.head), r.start.heads - 1);
    h.busy = true;
    h.error = null;
    try {
      const ids = [...r.start.promptIds, ...r.tokens.map((t) => t.id)];
      const res = await this.engine.request({ type: 'compare-attention', checkpointId: r.checkpointId, ids, layer, head });
      h.result = { ...res, name: r.name, layer, head };
    } catch (e) {
      h.error = engineMsg(e);
    } finally {
      h.busy = false;
    }
  }
}

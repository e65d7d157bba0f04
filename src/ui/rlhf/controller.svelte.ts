// The RLHF panel's state for choosing the model and collecting preferences: the stored checkpoints, the SFT
// model the answers come from (its tokenizer fingerprint and facts questions, from the worker), the K
// answers being ranked and the rankings kept in this browser (prefs-store.ts). The training jobs (labeler,
// reward model, PPO, DPO) are jobs.svelte.ts. Everything heavy happens in the engine worker.
import { CheckpointStore, type StoredCheckpointInfo } from '../../model/checkpoint/store.ts';
import type { Ranking } from '../../model/rlhf/prefs.ts';
import type { RlhfModelInfo, RlhfSampling } from '../../model/worker/rlhf-protocol.ts';
import { EngineError, type EngineClient } from '../engine-client.ts';
import type { Msg } from '../pretrain/controller.svelte.ts';
import { RlhfJobs } from './jobs.svelte.ts';
import { exportRankings, importJsonl, loadRankings, saveRankings, stored, usableRankings, type StoredRanking } from './prefs-store.ts';
import { assignPlace, breakTies, dropBefore, emptyPlaces, rankingIssue, toRanking, type RankingIssue } from './ranking.ts';

export function engineMsg(e: unknown): Msg {
  if (e instanceof EngineError && e.code === 'busy') return { key: 'rlhf.err.busy', params: { message: e.message } };
  if (e instanceof EngineError && e.code === 'bad-data') return { key: 'rlhf.err.badData', params: { message: e.message } };
  return { key: 'rlhf.err.engine', params: { message: e instanceof Error ? e.message : String(e) } };
}

function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** The answers on screen, with what they were sampled from (saved with the ranking). */
export interface Answers {
  prompt: string;
  texts: string[];
  ended: boolean[];
  sampling: RlhfSampling;
  fingerprint: string;
  /** The facts-qa question's fact, when the prompt is one (the labeler's correctness rule). */
  fact?: string;
  lang?: 'en' | 'zh';
}

export class RlhfController {
  readonly store = new CheckpointStore();
  readonly jobs: RlhfJobs;
  checkpoints: StoredCheckpointInfo[] = $state.raw([]);
  storeError: Msg | null = $state(null);

  // ── the SFT model ──
  sftId = $state('');
  info: RlhfModelInfo | null = $state.raw(null);
  infoBusy = $state(false);
  infoError: Msg | null = $state(null);

  // ── collecting ──
  /** Index into info.prompts, or -1 for the typed prompt. */
  promptIndex = $state(0);
  typedPrompt = $state('');
  k = $state(4);
  temperature = $state(1);
  topK = $state(0);
  topP = $state(1);
  maxTokens = $state(24);
  seed = $state(1);
  tiesAllowed = $state(false);
  answers: Answers | null = $state.raw(null);
  places: (number | null)[] = $state.raw([]);
  sampleBusy = $state(false);
  collectError: Msg | null = $state(null);
  collectNote: Msg | null = $state(null);

  // ── stored rankings ──
  rankings: StoredRanking[] = $state.raw([]);
  prefsError: Msg | null = $state(null);
  importReport: { file: string; added: number; pairLines: number; errors: { line: number; message: string }[] } | null = $state.raw(null);

  private offStore: (() => void) | null = null;
  private offEngine: (() => void) | null = null;

  constructor(
    readonly engine: EngineClient,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
  ) {
    this.jobs = new RlhfJobs(this);
    const loaded = loadRankings(storage);
    this.rankings = loaded.rankings;
    if (loaded.unreadable) this.prefsError = { key: 'rlhf.prefs.unreadable', params: { key: loaded.unreadable } };
  }

  start(): void {
    this.offStore = this.store.onChange(() => void this.refreshList());
    this.offEngine = this.engine.on((e) => this.jobs.onEvent(e));
    void this.refreshList();
  }

  destroy(): void {
    this.offStore?.();
    this.offEngine?.();
    this.store.close();
  }

  // ───────────── checkpoints ─────────────

  /** Finished checkpoints a policy can start from (not reward models, not autosaves). */
  get policies(): StoredCheckpointInfo[] {
    return this.checkpoints.filter((c) => !c.autosave && c.stage !== 'reward' && c.tokenizer !== null);
  }

  get rewardModels(): StoredCheckpointInfo[] {
    return this.checkpoints.filter((c) => !c.autosave && c.stage === 'reward');
  }

  async refreshList(): Promise<void> {
    try {
      this.checkpoints = await this.store.list();
      this.storeError = null;
    } catch (e) {
      this.storeError = { key: 'rlhf.err.store', params: { message: e instanceof Error ? e.message : String(e) } };
      return;
    }
    if (this.sftId && !this.policies.some((c) => c.id === this.sftId)) this.sftId = '';
    if (!this.sftId) {
      const pick = this.policies.find((c) => c.stage === 'sft') ?? this.policies[0];
      if (pick) await this.selectModel(pick.id);
    }
    this.jobs.onCheckpoints();
  }

  async selectModel(id: string): Promise<void> {
    this.sftId = id;
    this.info = null;
    this.infoError = null;
    this.answers = null;
    if (!id) return;
    this.infoBusy = true;
    try {
      const info = await this.engine.request({ type: 'rlhf-model-info', checkpointId: id });
      if (this.sftId === id) {
        this.info = info;
        this.promptIndex = info.prompts.length ? 0 : -1;
      }
    } catch (e) {
      if (this.sftId === id) this.infoError = engineMsg(e);
    } finally {
      this.infoBusy = false;
    }
  }

  // ───────────── collecting ─────────────

  get prompt(): string {
    const p = this.info?.prompts[this.promptIndex];
    return this.promptIndex >= 0 && p ? p.question : this.typedPrompt;
  }

  get sampling(): RlhfSampling {
    return { temperature: this.temperature, topK: this.topK, topP: this.topP, maxTokens: this.maxTokens, seed: this.seed };
  }

  async sample(): Promise<void> {
    this.collectError = null;
    this.collectNote = null;
    const prompt = this.prompt;
    if (!this.sftId || !this.info) return void (this.collectError = { key: 'rlhf.collect.noModel' });
    if (prompt.trim() === '') return void (this.collectError = { key: 'rlhf.collect.emptyPrompt' });
    if (!(Number.isInteger(this.k) && this.k >= 2 && this.k <= 9)) return void (this.collectError = { key: 'rlhf.collect.badK' });
    const sampling = this.sampling;
    const q = this.promptIndex >= 0 ? this.info.prompts[this.promptIndex] : undefined;
    this.sampleBusy = true;
    try {
      const r = await this.engine.request({ type: 'rlhf-sample', reqId: newId(), checkpointId: this.sftId, prompt, k: this.k, sampling });
      this.answers = { prompt, texts: r.answers, ended: r.ended, sampling, fingerprint: r.fingerprint, fact: q?.fact, lang: q?.lang };
      this.places = emptyPlaces(r.answers.length);
      const issue = rankingIssue(r.answers, this.places);
      if (issue?.kind === 'identical') this.collectError = { key: 'rlhf.collect.identical' };
      // The next click samples new answers, not the same ones again.
      this.seed = (this.seed + 1) >>> 0;
    } catch (e) {
      this.collectError = engineMsg(e);
    } finally {
      this.sampleBusy = false;
    }
  }

  place(i: number, place: number): void {
    this.places = assignPlace(this.places, i, place, this.tiesAllowed);
    this.collectNote = null;
  }

  drop(from: number, before: number | null): void {
    this.places = dropBefore(this.places, from, before);
    this.collectNote = null;
  }

  setTies(allowed: boolean): void {
    this.tiesAllowed = allowed;
    if (!allowed) this.places = breakTies(this.places);
  }

  get issue(): RankingIssue | null {
    return this.answers ? rankingIssue(this.answers.texts, this.places) : { kind: 'too-few' };
  }

  saveRanking(): void {
    const a = this.answers;
    if (!a || this.issue) return;
    // The whole sampler setting (max tokens and seed too) travels with the ranking; prefs.ts reads back the
    // three that shape the distribution.
    const extra: Partial<Ranking> = { tokenizer: a.fingerprint, sampler: a.sampling, ...(a.fact ? { fact: a.fact } : {}), ...(a.lang ? { lang: a.lang } : {}) };
    if (this.addRankings([stored(toRanking(a.prompt, a.texts, this.places, extra), 'person')])) {
      this.answers = null;
      this.places = [];
      this.collectNote = { key: 'rlhf.collect.saved', params: { n: this.rankings.length } };
    }
  }

  // ───────────── stored rankings ─────────────

  /** Rankings made with the selected model's tokenizer: what training uses. */
  get usable(): StoredRanking[] {
    return usableRankings(this.rankings, this.info?.fingerprint);
  }

  /** Adds and writes; on a failed write the new list stays in memory (and the stored one unchanged). */
  addRankings(add: StoredRanking[]): boolean {
    return this.writeList([...this.rankings, ...add]);
  }

  deleteRanking(id: string): void {
    this.writeList(this.rankings.filter((r) => r.id !== id));
  }

  private writeList(next: StoredRanking[]): boolean {
    this.rankings = next;
    try {
      saveRankings(this.storage, next);
      this.prefsError = null;
      return true;
    } catch (e) {
      this.prefsError = { key: 'rlhf.prefs.writeFailed', params: { message: e instanceof Error ? e.message : String(e) } };
      return false;
    }
  }

  exportFile(form: 'rankings' | 'pairs'): void {
    const text = exportRankings(this.rankings, form);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/jsonl' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = form === 'rankings' ? 'rlhf-rankings.jsonl' : 'rlhf-pairs.jsonl';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async importFile(file: File): Promise<void> {
    this.importReport = null;
    this.prefsError = null;
    if (!this.info) return void (this.prefsError = { key: 'rlhf.prefs.importNeedsModel' });
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      return void (this.prefsError = { key: 'rlhf.prefs.notText', params: { file: file.name } });
    }
    const r = importJsonl(text, this.info.fingerprint);
    // A failed write keeps them in memory and says so (prefsError); the stored list is unchanged.
    if (r.rankings.length) this.addRankings(r.rankings.map((x) => stored(x, `file:${file.name}`)));
    this.importReport = { file: file.name, added: r.rankings.length, pairLines: r.pairLines, errors: r.errors };
  }
}

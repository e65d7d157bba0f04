// The RLHF panel's jobs in the engine worker — the simulated labeler, the reward model, PPO and DPO — and
// what the page shows of them: one job at a time (the worker refuses a second, also across stages), its
// progress with an ETA, pause/resume/stop, the curves from its step events, and its result (a stored
// checkpoint, the labeler's rankings, PPO's before/after answers, the reward model's scores).
import type { EngineEvent } from '../../model/worker/protocol.ts';
import type { LabeledRanking, PairTrainSettings, PpoExample, RewardTerms, RlhfEvent, RlhfJobKind, RlhfTrainResult } from '../../model/worker/rlhf-protocol.ts';
import type { Msg } from '../pretrain/controller.svelte.ts';
import { engineMsg, type RlhfController } from './controller.svelte.ts';
import { DEFAULT_NLL_WEIGHT } from '../../model/rlhf/dpo-settings.ts';
import { plainRanking, stored, type StoredRanking } from './prefs-store.ts';
import { positionPlaces } from './ranking.ts';

export type JobStatus = 'idle' | 'running' | 'paused' | 'stopping' | 'done' | 'stopped' | 'diverged' | 'failed';
type Pt = [number, number];
export type JobPhase = Extract<RlhfEvent, { type: 'rlhf-phase' }>['phase'];

export interface InspectRow {
  prompt: string;
  answer: string;
  reward: number | null;
  /** Where the reward came from. */
  parts: RewardTerms | null;
  /** The ranking's place of the answer (1 = best). */
  place: number;
}

/** Seconds left, from the pace so far (null until one unit is done). */
export function etaSeconds(startedMs: number, nowMs: number, done: number, total: number): number | null {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : null;
  return ((nowMs - startedMs) / 1000 / done) * (total - done);
}

function newId(): string {
  const c = globalThis.crypto;
  return typeof c?.randomUUID === 'function' ? c.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export class RlhfJobs {
  // ── the running (or last) job ──
  kind: RlhfJobKind | null = $state(null);
  status: JobStatus = $state('idle');
  runId = '';
  phase: JobPhase | null = $state(null);
  done = $state(0);
  total = $state(0);
  eta: number | null = $state(null);
  message: Msg | null = $state(null);
  private startedAt = 0;

  // ── simulated labeler ──
  labeler = $state('default');
  labelPrompts = $state(6);
  labelK = $state(4);
  labeled: LabeledRanking[] = $state.raw([]);

  // ── reward model ──
  rmName = $state('');
  rmSteps = $state(30);
  rmPairs = $state(8);
  rmLr = $state(3e-5);
  rmEvalEvery = $state(5);
  rmHeldOut = $state(0.25);
  /** Score with the head alone (no likelihood or length term): the reward-hacking experiment's weak reward model. */
  rmHeadOnly = $state(false);
  rm = $state.raw({ loss: [] as Pt[], acc: [] as Pt[], heldLoss: [] as Pt[], heldAcc: [] as Pt[] });
  inspectId = $state('');
  inspect: InspectRow[] = $state.raw([]);
  /** The inspected reward model's learned α (likelihood scale) and λ (weight per answer token). */
  inspectScale: { alpha: number; lambda: number } | null = $state(null);
  inspectBusy = $state(false);
  inspectError: Msg | null = $state(null);

  // ── PPO ──
  ppoName = $state('');
  /** A reward checkpoint's id, or 'labeler:NAME'. */
  ppoReward = $state('labeler:default');
  klBeta = $state(0.05);
  ppoSteps = $state(10);
  ppoBatch = $state(8);
  ppoLr = $state(1e-4);
  ppoTokens = $state(24);
  judge = $state('default');
  ppo = $state.raw({ reward: [] as Pt[], judge: [] as Pt[], kl: [] as Pt[], entropy: [] as Pt[], valueLoss: [] as Pt[], scatter: [] as Pt[] });
  examples: PpoExample[] = $state.raw([]);

  // ── DPO ──
  dpoName = $state('');
  beta = $state(0.1);
  /** RPO's NLL weight on the chosen answers (0: plain DPO). */
  dpoNll = $state(DEFAULT_NLL_WEIGHT);
  dpoSteps = $state(30);
  dpoLr = $state(3e-4);
  dpoPairs = $state(8);
  dpoEvalEvery = $state(5);
  dpoHeldOut = $state(0.25);
  dpo = $state.raw({ loss: [] as Pt[], acc: [] as Pt[], heldLoss: [] as Pt[], heldAcc: [] as Pt[] });

  /** The checkpoint the last training job stored. */
  result: RlhfTrainResult | null = $state.raw(null);

  constructor(private readonly c: RlhfController) {}

  get busy(): boolean {
    return this.status === 'running' || this.status === 'paused' || this.status === 'stopping';
  }

  /** New reward models appear: the newest becomes PPO's reward and the inspector's model. */
  onCheckpoints(): void {
    const rms = this.c.rewardModels;
    if (!this.ppoReward.startsWith('labeler:') && !rms.some((r) => r.id === this.ppoReward)) this.ppoReward = 'labeler:default';
    if (this.inspectId && !rms.some((r) => r.id === this.inspectId)) this.inspectId = '';
    if (!this.inspectId && rms[0]) this.inspectId = rms[0].id;
  }

  // ───────────── events ─────────────

  onEvent(e: EngineEvent): void {
    if (!('runId' in e) || e.runId !== this.runId || !e.type.startsWith('rlhf-')) return;
    switch (e.type) {
      case 'rlhf-state':
        if (this.busy) this.status = e.state;
        break;
      case 'rlhf-phase':
        this.phase = e.phase;
        // The pace for the ETA counts from the first unit of real work (not loading or compiling).
        if ((e.phase === 'training' || e.phase === 'sampling') && !e.done) this.startedAt = performance.now();
        if (this.kind === 'label' && e.total !== undefined) this.progress(e.done ?? 0, e.total);
        break;
      case 'rlhf-ready':
        this.total = e.steps;
        this.message = { key: 'rlhf.job.ready', params: { train: e.trainPairs, held: e.heldOutPairs, dropped: e.dropped } };
        break;
      case 'rlhf-label':
        this.labeled = [...this.labeled, e.ranking];
        this.progress(e.done, e.total);
        break;
      case 'rlhf-rm': {
        const ev = e.event;
        if (ev.type === 'step') {
          this.rm = { ...this.rm, loss: [...this.rm.loss, [ev.step, ev.loss]], acc: [...this.rm.acc, [ev.step, ev.accuracy]] };
          this.progress(ev.step, this.total);
        } else {
          this.rm = { ...this.rm, heldLoss: [...this.rm.heldLoss, [ev.step, ev.heldoutLoss]], heldAcc: [...this.rm.heldAcc, [ev.step, ev.heldoutAccuracy]] };
        }
        break;
      }
      case 'rlhf-dpo': {
        const ev = e.event;
        if (ev.type === 'step') {
          this.dpo = { ...this.dpo, loss: [...this.dpo.loss, [ev.step, ev.loss]], acc: [...this.dpo.acc, [ev.step, ev.rewardAccuracy]] };
          this.progress(ev.step, this.total);
        } else {
          this.dpo = { ...this.dpo, heldLoss: [...this.dpo.heldLoss, [ev.step, ev.heldoutLoss]], heldAcc: [...this.dpo.heldAcc, [ev.step, ev.heldoutRewardAccuracy]] };
        }
        break;
      }
      case 'rlhf-ppo': {
        const r = e.event;
        const p = this.ppo;
        this.ppo = {
          reward: [...p.reward, [r.step, r.reward]],
          judge: r.judge !== undefined ? [...p.judge, [r.step, r.judge]] : p.judge,
          kl: [...p.kl, [r.step, r.kl]],
          entropy: [...p.entropy, [r.step, r.entropy]],
          valueLoss: [...p.valueLoss, [r.step, r.valueLoss]],
          scatter: [...p.scatter, [r.kl, r.reward]],
        };
        this.progress(r.step, this.total);
        break;
      }
    }
  }

  private progress(done: number, total: number): void {
    this.done = done;
    this.total = total;
    this.eta = etaSeconds(this.startedAt, performance.now(), done, total);
  }

  // ───────────── starting ─────────────

  private begin(kind: RlhfJobKind): string {
    this.kind = kind;
    this.status = 'running';
    this.runId = newId();
    this.phase = 'loading';
    this.done = 0;
    this.total = 0;
    this.eta = null;
    this.message = null;
    this.result = null;
    this.startedAt = performance.now();
    return this.runId;
  }

  private fail(e: unknown): void {
    this.status = 'failed';
    this.message = engineMsg(e);
  }

  private pairSettings(kind: 'rm' | 'dpo'): PairTrainSettings {
    return kind === 'rm'
      ? { steps: this.rmSteps, pairsPerStep: this.rmPairs, lr: this.rmLr, evalEvery: this.rmEvalEvery, heldOutFraction: this.rmHeldOut, seed: 1337 }
      : { steps: this.dpoSteps, pairsPerStep: this.dpoPairs, lr: this.dpoLr, evalEvery: this.dpoEvalEvery, heldOutFraction: this.dpoHeldOut, seed: 1337 };
  }

  /** The rankings for training, or a message why there are none. */
  private trainingRankings(): StoredRanking[] | null {
    const usable = this.c.usable;
    if (!this.c.info) this.message = { key: 'rlhf.collect.noModel' };
    else if (usable.length === 0) this.message = { key: 'rlhf.job.noRankings' };
    else return usable;
    this.status = 'failed';
    return null;
  }

  async runLabeler(): Promise<void> {
    if (!this.c.info) return void ((this.message = { key: 'rlhf.collect.noModel' }), (this.status = 'failed'));
    const runId = this.begin('label');
    this.labeled = [];
    const labeler = this.labeler;
    try {
      const r = await this.c.engine.request({
        type: 'rlhf-label', runId,
        spec: { checkpointId: this.c.sftId, labeler, prompts: this.labelPrompts, k: this.labelK, sampling: this.c.sampling },
      });
      this.c.addRankings(r.rankings.map(({ details: _d, ...rank }) => stored(plainRanking(rank), `labeler:${labeler}`)));
      this.status = r.status;
      this.message = { key: 'rlhf.label.done', params: { n: r.rankings.length } };
    } catch (e) {
      this.fail(e);
    }
  }

  async trainRewardModel(): Promise<void> {
    const rankings = this.trainingRankings();
    if (!rankings) return;
    const runId = this.begin('rm');
    this.rm = { loss: [], acc: [], heldLoss: [], heldAcc: [] };
    const name = this.rmName.trim() || `${this.c.info!.name} reward`;
    try {
      const r = await this.c.engine.request({
        type: 'rlhf-rm-start', runId,
        spec: { sftId: this.c.sftId, name, prefs: 'rankings in this browser', rankings: rankings.map(plainRanking), settings: this.pairSettings('rm'), headOnly: this.rmHeadOnly },
      });
      this.finish(r);
      if (r.status !== 'diverged' && r.checkpoint) {
        // The new reward model is what PPO should optimise against next, and what the inspector shows.
        this.ppoReward = r.checkpoint.id;
        this.inspectId = r.checkpoint.id;
        await this.runInspector();
      }
    } catch (e) {
      this.fail(e);
    }
  }

  async trainDpo(): Promise<void> {
    const rankings = this.trainingRankings();
    if (!rankings) return;
    const runId = this.begin('dpo');
    this.dpo = { loss: [], acc: [], heldLoss: [], heldAcc: [] };
    const name = this.dpoName.trim() || `${this.c.info!.name} dpo β${this.beta}`;
    try {
      const r = await this.c.engine.request({
        type: 'rlhf-dpo-start', runId,
        spec: { sftId: this.c.sftId, name, prefs: 'rankings in this browser', rankings: rankings.map(plainRanking), settings: this.pairSettings('dpo'), beta: this.beta, nllWeight: this.dpoNll },
      });
      this.finish(r);
    } catch (e) {
      this.fail(e);
    }
  }

  async trainPpo(): Promise<void> {
    if (!this.c.info) return void ((this.message = { key: 'rlhf.collect.noModel' }), (this.status = 'failed'));
    const runId = this.begin('ppo');
    this.ppo = { reward: [], judge: [], kl: [], entropy: [], valueLoss: [], scatter: [] };
    this.examples = [];
    const reward = this.ppoReward.startsWith('labeler:')
      ? ({ kind: 'labeler', name: this.ppoReward.slice('labeler:'.length) } as const)
      : ({ kind: 'checkpoint', id: this.ppoReward } as const);
    const name = this.ppoName.trim() || `${this.c.info.name} rlhf β${this.klBeta}`;
    try {
      const r = await this.c.engine.request({
        type: 'rlhf-ppo-start', runId,
        spec: {
          policyId: this.c.sftId, reward, name, steps: this.ppoSteps, batch: this.ppoBatch, klBeta: this.klBeta, lr: this.ppoLr,
          maxTokens: this.ppoTokens, seed: 1337, judge: this.judge, examples: 3,
        },
      });
      this.finish(r);
      if (r.status !== 'diverged') this.examples = r.examples ?? [];
    } catch (e) {
      this.fail(e);
    }
  }

  private finish(r: RlhfTrainResult): void {
    this.result = r;
    this.status = r.status;
    if (r.status === 'diverged') this.message = { key: 'rlhf.job.diverged', params: { step: r.step, message: r.message } };
    else if (r.checkpoint) this.message = { key: r.status === 'done' ? 'rlhf.job.done' : 'rlhf.job.stoppedSaved', params: { step: r.step, name: r.checkpoint.name } };
    else this.message = { key: 'rlhf.job.stoppedEmpty' };
  }

  async control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    try {
      await this.c.engine.request({ type: 'rlhf-control', action });
    } catch (e) {
      this.message = engineMsg(e);
    }
  }

  // ───────────── the reward model's scores ─────────────

  /** Scores the answers of the (up to 8) newest usable rankings with the chosen reward model. */
  async runInspector(): Promise<void> {
    this.inspectError = null;
    if (!this.inspectId) return;
    const rankings = this.c.usable.slice(-8);
    const rows: InspectRow[] = rankings.flatMap((r) => {
      const places = positionPlaces(r);
      return r.order.map((ai, k) => ({ prompt: r.prompt, answer: r.answers[ai], reward: null, parts: null, place: places[k] }));
    });
    if (rows.length === 0) return void (this.inspect = []);
    this.inspectBusy = true;
    try {
      const s = await this.c.engine.request({ type: 'rlhf-rm-score', rewardId: this.inspectId, items: rows.map(({ prompt, answer }) => ({ prompt, answer })) });
      this.inspect = rows.map((row, i) => ({ ...row, reward: s.rewards[i], parts: s.parts[i] }));
      this.inspectScale = { alpha: s.alpha, lambda: s.lambda };
    } catch (e) {
      this.inspectError = engineMsg(e);
    } finally {
      this.inspectBusy = false;
    }
  }
}

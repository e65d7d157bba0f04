// The guided tour's state: the run in the engine worker ('tour-start', tour-job.ts), each stage's progress
// and final numbers from its events, the ETAs, and the hand-over to the Compare tab at the end.
import type { EngineEvent } from '../../model/worker/protocol.ts';
import { TOUR_STAGES, type TourNumbers, type TourPhase, type TourResult, type TourStage } from '../../model/worker/tour-protocol.ts';
import { requestComparison } from '../compare/controller.svelte.ts';
import { EngineError, type EngineClient } from '../engine-client.ts';
import type { Msg } from '../pretrain/controller.svelte.ts';

export type StageStatus = 'waiting' | 'running' | 'done' | 'stopped';

export interface StageView {
  stage: TourStage;
  status: StageStatus;
  phase: TourPhase | null;
  step: number;
  steps: number;
  loss: number | null;
  reward: number | null;
  kl: number | null;
  /** Share of the tour's time (from the worker's plan). */
  weight: number;
  numbers: TourNumbers | null;
  seconds: number | null;
  /** performance.now() of the stage's first training step, and that step's number (for the rate). */
  firstStepAt: number | null;
  firstStep: number;
  lastStepAt: number | null;
}

/** The tour's preset: the page's own ('facts-tiny'), or with ?tour=test the tests' tiny one. */
export function tourPresetFromUrl(search: string): string {
  return new URLSearchParams(search).get('tour') === 'test' ? 'tour-test' : 'facts-tiny';
}

function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

const fresh = (): StageView[] =>
  TOUR_STAGES.map((stage) => ({
    stage, status: 'waiting', phase: null, step: 0, steps: 0, loss: null, reward: null, kl: null, weight: 1 / TOUR_STAGES.length,
    numbers: null, seconds: null, firstStepAt: null, firstStep: 0, lastStepAt: null,
  }));

export class TourController {
  open = $state(false);
  running = $state(false);
  stopping = $state(false);
  stages: StageView[] = $state(fresh());
  preset = $state('');
  params = $state(0);
  vocabSize = $state(0);
  result: TourResult | null = $state.raw(null);
  error: Msg | null = $state(null);
  /** performance.now() at the start, and now (ticked every second while running, so the ETAs move). */
  startedAt = $state(0);
  now = $state(0);

  private runId = '';
  private off: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly engine: EngineClient,
    /** Switches the page to the Compare tab (the App owns the tabs). */
    private readonly showCompare: () => void,
  ) {}

  start(): void {
    this.off = this.engine.on((e) => this.onEvent(e));
  }

  destroy(): void {
    this.off?.();
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** The stage being worked on (null before the start and after the end). */
  get current(): StageView | null {
    return this.running ? (this.stages.find((s) => s.status === 'running') ?? null) : null;
  }

  async run(preset: string): Promise<void> {
    if (this.running) return;
    const runId = newId();
    this.runId = runId;
    this.stages = fresh();
    this.result = null;
    this.error = null;
    this.preset = preset;
    this.running = true;
    this.stopping = false;
    this.startedAt = this.now = performance.now();
    this.timer = setInterval(() => (this.now = performance.now()), 1000);
    try {
      const r = await this.engine.request({ type: 'tour-start', runId, preset });
      this.result = r;
      for (const s of this.stages) if (s.status !== 'done') s.status = r.status === 'done' ? 'done' : 'stopped';
      const { base, sft, rlhf } = r.checkpoints;
      if (r.status === 'done' && base && sft && rlhf) {
        // The base model gets the plain question (it continues text); SFT and RLHF the chat template.
        requestComparison({
          prompt: r.question,
          columns: [
            { checkpointId: base.id, chat: false },
            { checkpointId: sft.id, chat: true },
            { checkpointId: rlhf.id, chat: true },
          ],
        });
        this.showCompare();
      }
    } catch (e) {
      if (e instanceof EngineError && e.code === 'busy') this.error = { key: 'tour.err.busy' };
      else this.error = { key: 'tour.err.engine', params: { message: e instanceof Error ? e.message : String(e) } };
      for (const s of this.stages) if (s.status === 'running') s.status = 'stopped';
    } finally {
      this.running = false;
      this.stopping = false;
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      this.now = performance.now();
    }
  }

  cancel(): void {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    void this.engine.request({ type: 'tour-stop' }).catch(() => {});
  }

  private stage(s: TourStage): StageView {
    return this.stages.find((x) => x.stage === s)!;
  }

  private onEvent(e: EngineEvent): void {
    if (!('runId' in e) || e.runId !== this.runId) return;
    if (e.type === 'tour-plan') {
      this.params = e.params;
      this.vocabSize = e.vocabSize;
      for (const p of e.stages) Object.assign(this.stage(p.stage), { steps: p.steps, weight: p.weight });
    } else if (e.type === 'tour-phase') {
      const s = this.stage(e.stage);
      s.status = 'running';
      s.phase = e.phase;
    } else if (e.type === 'tour-step') {
      const s = this.stage(e.stage);
      const t = performance.now();
      if (s.firstStepAt === null) {
        s.firstStepAt = t;
        s.firstStep = e.step;
      }
      s.lastStepAt = t;
      Object.assign(s, { status: 'running', phase: 'training', step: e.step, steps: e.steps, loss: e.loss, reward: e.reward ?? null, kl: e.kl ?? null });
    } else if (e.type === 'tour-stage-done') {
      const s = this.stage(e.numbers.stage);
      Object.assign(s, { status: 'done', phase: null, numbers: e.numbers, seconds: e.seconds, step: e.numbers.steps });
    }
  }

  /** Seconds left in a stage's training at its rate so far (null until two steps are in). */
  stageEta(s: StageView): number | null {
    if (s.status !== 'running' || s.firstStepAt === null || s.lastStepAt === null || s.step <= s.firstStep) return null;
    const perStep = (s.lastStepAt - s.firstStepAt) / 1000 / (s.step - s.firstStep);
    return Math.max(0, (s.steps - s.step) * perStep);
  }

  /** The share of the tour done, weighting each stage by its planned share of the time. */
  get fraction(): number {
    let f = 0;
    for (const s of this.stages) {
      if (s.status === 'done') f += s.weight;
      else if (s.status === 'running' && s.steps > 0) f += s.weight * Math.min(1, s.step / s.steps);
    }
    return Math.min(1, f);
  }

  /** Seconds left in the whole tour at the pace so far (null at the very start). */
  get overallEta(): number | null {
    const f = this.fraction;
    const elapsed = (this.now - this.startedAt) / 1000;
    if (!this.running || f < 0.02 || elapsed <= 0) return null;
    return (elapsed / f) * (1 - f);
  }
}

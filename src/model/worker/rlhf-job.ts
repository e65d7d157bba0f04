// One RLHF training job inside the engine worker (reward model, PPO or DPO; rlhf-train.ts and
// rlhf-ppo-job.ts hold the work itself): pause/resume/stop between steps, waiting for any generation that
// holds the GPU, and the endings the UI explains — done, stopped (the model so far is stored), diverged
// (nothing stored) and device loss (the request fails with 'device-lost'). The worker keeps at most one
// job of any stage at a time (engine-worker.ts refuses a second with 'busy'). Modelled on sft-job.ts.
import type { CheckpointStore } from '../checkpoint/store.ts';
import type { Gpu } from '../gpu/runtime.ts';
import { codeError } from './errors.ts';
import type { EngineEvent } from './protocol.ts';
import type { RlhfEvent, RlhfJobKind } from './rlhf-protocol.ts';
import type { Sampler } from './sampler.ts';

export interface RlhfJobDeps {
  gpu: Gpu;
  store: CheckpointStore;
  sampler: Sampler;
  post: (e: EngineEvent) => void;
  /** Resolves when no generation is using the GPU (training waits for it before each step). */
  gpuIdle: () => Promise<void>;
}

type Phase = Extract<RlhfEvent, { type: 'rlhf-phase' }>['phase'];

export class RlhfJob {
  paused = false;
  private waiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private failLost: ((e: Error) => void) | null = null;
  private readonly lost: Promise<never>;

  constructor(
    readonly runId: string,
    readonly kind: RlhfJobKind,
    readonly deps: RlhfJobDeps,
  ) {
    this.lost = new Promise<never>((_, reject) => (this.failLost = reject));
    this.lost.catch(() => {}); // observed through Promise.race only
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  pause(): void {
    if (this.stopping) return;
    this.paused = true;
    this.state('paused');
  }

  resume(): void {
    if (this.stopping) return;
    this.paused = false;
    this.wake();
    this.state('running');
  }

  stop(): void {
    this.abort.abort();
    this.paused = false;
    this.wake();
    this.state('stopping');
  }

  deviceLost(reason: string): void {
    this.abort.abort();
    this.wake();
    this.failLost?.(codeError('device-lost', `The GPU device was lost during the RLHF job (${reason}).`));
  }

  /** Runs the job's work to its end, unless the device is lost first. */
  async run<T>(work: (job: RlhfJob) => Promise<T>): Promise<T> {
    const w = work(this);
    w.catch(() => {}); // after a device loss nobody awaits it any more
    return Promise.race([w, this.lost]);
  }

  /** Waits while paused, then for any generation using the GPU. */
  async gate(): Promise<void> {
    await this.whilePaused();
    if (!this.stopping) await this.deps.gpuIdle();
  }

  /** Waits while paused (a job that itself generates must not wait for the generations to end). */
  async whilePaused(): Promise<void> {
    while (this.paused && !this.stopping) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** The promise, unless the device is lost first. */
  race<T>(p: Promise<T>): Promise<T> {
    p.catch(() => {});
    return Promise.race([p, this.lost]);
  }

  post(e: RlhfEvent): void {
    this.deps.post(e);
  }

  state(state: 'running' | 'paused' | 'stopping'): void {
    this.post({ type: 'rlhf-state', runId: this.runId, state });
  }

  phase(phase: Phase, done?: number, total?: number): void {
    this.post({ type: 'rlhf-phase', runId: this.runId, phase, done, total });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** True for the trainers' DivergenceError (a step refused before any weight changed). */
export function isDivergence(e: unknown): e is Error {
  return e instanceof Error && e.name === 'DivergenceError';
}

/** Whole number ≥ min, or a 'bad-data' error naming the setting. */
export function checkInt(name: string, v: number, min: number, max = Infinity): number {
  if (!Number.isInteger(v) || v < min || v > max) throw codeError('bad-data', `${name} must be a whole number from ${min}${Number.isFinite(max) ? ` to ${max}` : ''} (got ${v})`);
  return v;
}

/** A finite number > 0 (or ≥ 0 with allowZero), or a 'bad-data' error naming the setting. */
export function checkPositive(name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw codeError('bad-data', `${name} must be ${allowZero ? '≥ 0' : '> 0'} (got ${v})`);
  return v;
}

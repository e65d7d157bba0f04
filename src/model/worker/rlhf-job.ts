// One RLHF training job inside the engine worker (reward model, PPO or DPO; rlhf-train.ts and
// rlhf-ppo-job.ts hold the work itself): pause/resume/stop between steps, waiting for any generation that
// holds the GPU, and the endings the UI explains — done, stopped (the model so far is stored), diverged
// (nothing stored) and device loss (the request fails with 'device-lost'). The worker keeps at most one
// job of any stage at a time (engine-worker.ts refuses a second with 'busy'). Modelled on sft-job.ts.
import { JobControl, type JobState } from './job-control.ts';
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

export class RlhfJob extends JobControl {
  constructor(
    readonly runId: string,
    readonly kind: RlhfJobKind,
    readonly deps: RlhfJobDeps,
  ) {
    super('during the RLHF job');
  }

  /** Runs the job's work to its end, unless the device is lost first. */
  async run<T>(work: (job: RlhfJob) => Promise<T>): Promise<T> {
    return this.race(work(this));
  }

  /** Waits while paused, then for any generation using the GPU. */
  gate(): Promise<void> {
    return this.gateOn(this.deps.gpuIdle);
  }

  post(e: RlhfEvent): void {
    this.deps.post(e);
  }

  state(state: JobState): void {
    this.post({ type: 'rlhf-state', runId: this.runId, state });
  }

  phase(phase: Phase, done?: number, total?: number): void {
    this.post({ type: 'rlhf-phase', runId: this.runId, phase, done, total });
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

// What every training job in the engine worker shares (pretraining, SFT, RLHF, the guided tour): pause,
// resume and stop sent while it runs, a gate the training loop passes before each step, and device loss,
// which must end the job's request even when its work is stuck awaiting a GPU that will never answer.
import { codeError } from './errors.ts';

export type JobState = 'running' | 'paused' | 'stopping';

export abstract class JobControl {
  paused = false;
  private waiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private failLost: ((e: Error) => void) | null = null;
  /** Rejects when the device is lost; raced against the job's work so its request still settles. */
  private readonly lost: Promise<never>;

  /** `during` names the job in the device-loss message ("during fine-tuning"). */
  constructor(private readonly during: string) {
    this.lost = new Promise<never>((_, reject) => (this.failLost = reject));
    this.lost.catch(() => {}); // observed through Promise.race only
  }

  /** Tells the page the job's state (each job posts its own event type). */
  protected abstract state(state: JobState): void;

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Aborted by stop() and by device loss. */
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

  /** The device is gone: the job cannot go on (its last autosave is what is left). */
  deviceLost(reason: string): void {
    this.abort.abort();
    this.wake();
    this.failLost?.(codeError('device-lost', `The GPU device was lost ${this.during} (${reason}).`));
  }

  /** Waits while paused (a job that itself generates must not also wait for generations to end). */
  async whilePaused(): Promise<void> {
    while (this.paused && !this.stopping) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Waits while paused, then for `gpuIdle` (a generation using the GPU) unless stopping. */
  protected async gateOn(gpuIdle: () => Promise<void>): Promise<void> {
    await this.whilePaused();
    if (!this.stopping) await gpuIdle();
  }

  /** The promise, unless the device is lost first. */
  race<T>(p: Promise<T>): Promise<T> {
    p.catch(() => {}); // after a device loss nobody awaits it any more
    return Promise.race([p, this.lost]);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
